import type { PasskeyStore } from '../../ports/passkey-store';
import { previewVote, type RecordVoteDeps, type VoteInput } from '../votes/record-vote';
import { ENROL_LINK_SECONDS, VOTE_LINK_SECONDS, newLinkSecret, type PasskeyLink } from './passkey-link';

/** What the passkey path needs besides the vote's own ports. */
export interface PasskeyLinkDeps extends RecordVoteDeps {
  readonly passkeys: PasskeyStore;
  /** The approval page's URL for a link secret (on the configured public URL). */
  readonly pageUrl: (secret: string) => string;
}

/** What a click on a passkey request answered the clicker (privately). */
export type OfferedLink = 'vote_link' | 'enrol_link' | 'refused';

/**
 * A click on Approve or Deny of a request that needs a passkey decides nothing: the clicker is told,
 * privately, a one-time link to the approval page for exactly that request and decision (valid
 * {@link VOTE_LINK_SECONDS}), or, with no passkey yet, a link to register one. A clicker the vote
 * would refuse is told why instead (`previewVote`), and gets no link.
 */
export async function offerPasskeyLink(deps: PasskeyLinkDeps, vote: VoteInput): Promise<OfferedLink> {
  if (await previewVote(deps, vote)) return 'refused';
  const enrolled = (await deps.passkeys.credentials(vote.user)).length > 0;
  const now = deps.clock.now();
  const { secret, id } = newLinkSecret();
  const seconds = enrolled ? VOTE_LINK_SECONDS : ENROL_LINK_SECONDS;
  const link: PasskeyLink = {
    id,
    purpose: enrolled ? 'vote' : 'enrol',
    user: vote.user,
    team: vote.team,
    ...(enrolled ? { requestId: vote.requestId, decision: vote.decision } : {}),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + seconds * 1000).toISOString(),
  };
  await deps.passkeys.putLink(link);
  // An enrolled approver also gets a link to add or remove passkeys; each change there needs one of
  // their passkeys first, so this link alone (a Slack session) changes nothing.
  const manage = enrolled ? await putEnrolLink(deps.passkeys, vote, now) : undefined;
  if (vote.channel) {
    const url = deps.pageUrl(secret);
    const text = enrolled
      ? `This request needs your passkey. <${url}|Confirm your ${vote.decision === 'approve' ? 'approval' : 'denial'} with your passkey> (only for you, valid ${seconds / 60} minutes, once).` +
        (manage
          ? ` To add or remove a passkey (confirmed with one you have): <${deps.pageUrl(manage)}|your passkeys>.`
          : '')
      : `This request needs a passkey, and you have none registered yet. <${url}|Register a passkey> (only for you, valid ${seconds / 60} minutes), then click the button again.`;
    await deps.notifier.tellPrivately(vote.channel, vote.user, text);
  }
  return enrolled ? 'vote_link' : 'enrol_link';
}

/** Stores a new enrolment link for the clicker. @returns its secret */
async function putEnrolLink(passkeys: PasskeyStore, vote: VoteInput, now: Date): Promise<string> {
  const { secret, id } = newLinkSecret();
  await passkeys.putLink({
    id,
    purpose: 'enrol',
    user: vote.user,
    team: vote.team,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ENROL_LINK_SECONDS * 1000).toISOString(),
  });
  return secret;
}
