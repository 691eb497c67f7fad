import type { CeremonyResponse, PasskeyCeremony } from '../../ports/passkey-ceremony';
import type { PasskeyStore } from '../../ports/passkey-store';
import { StepUpError } from '../errors';
import { recordVote, type RecordVoteDeps, type VoteResult } from '../votes/record-vote';
import { requireText } from '../config/validation';
import { LINK_SECRET_PATTERN, linkIdOf, linkProblem, type PasskeyLink } from './passkey-link';
import { voteChallenge } from './vote-challenge';

/** What confirming a vote with a passkey needs: the vote's ports and the passkey ones. */
export interface ConfirmPasskeyVoteDeps extends RecordVoteDeps {
  readonly passkeys: PasskeyStore;
  readonly ceremony: PasskeyCeremony;
}

/** What the approval page posts: the assertion, and for a denial the approver's reason. */
export interface PasskeyVoteInput {
  readonly secret: string;
  readonly response: CeremonyResponse;
  readonly reason?: string;
}

/** Longest deny reason, as in the Slack dialog. */
const MAX_REASON_LENGTH = 500;

/** The link behind a secret, if it can be used now. @throws StepUpError invalid_grant */
export async function usableLink(
  deps: Pick<ConfirmPasskeyVoteDeps, 'passkeys' | 'clock'>,
  secret: string,
  purpose: PasskeyLink['purpose'],
): Promise<PasskeyLink & { nonce: string }> {
  const link = LINK_SECRET_PATTERN.test(secret) ? await deps.passkeys.getLink(linkIdOf(secret)) : undefined;
  const problem = linkProblem(link, deps.clock.now());
  if (!link || problem) throw new StepUpError('invalid_grant', problem ?? 'This link is not valid.');
  if (link.purpose !== purpose || link.nonce === undefined) {
    throw new StepUpError('invalid_grant', 'Open the link first; this page was not shown.');
  }
  return { ...link, nonce: link.nonce };
}

/**
 * Records a vote confirmed with a passkey. The assertion must verify against a passkey of the Slack
 * user the link was given to (signature, origin, RP ID, user verification, a counter that went up)
 * over the challenge that commits to the request's facts and the link's decision; then the link is
 * used (one conditional write: a second use loses), the counter advanced (one conditional write: a
 * counter that does not go up loses), and the vote recorded by `recordVote`, the same single
 * conditional write a Slack click makes, so quorum, races and self-approval hold unchanged.
 * @throws StepUpError invalid_grant (link unusable), access_denied (assertion or vote refused)
 */
export async function confirmPasskeyVote(
  deps: ConfirmPasskeyVoteDeps,
  input: PasskeyVoteInput,
): Promise<Exclude<VoteResult, { outcome: 'refused' }>> {
  const link = await usableLink(deps, input.secret, 'vote');
  const reason =
    link.decision === 'deny' && input.reason !== undefined
      ? requireText(input.reason.trim(), 'reason', { max: MAX_REASON_LENGTH, multiline: true })
      : undefined;
  const request = link.requestId ? await deps.store.get(link.requestId) : undefined;
  if (!request || !link.decision) throw new StepUpError('invalid_grant', 'This request does not exist.');
  const credentialId = typeof input.response.id === 'string' ? input.response.id : '';
  const credential = (await deps.passkeys.credentials(link.user)).find((c) => c.id === credentialId);
  if (!credential) {
    throw new StepUpError(
      'access_denied',
      'This passkey is not registered for the approver this link was given to.',
    );
  }
  const verified = await deps.ceremony.verifyAuthentication({
    response: input.response,
    challenge: voteChallenge(request, link, link.nonce),
    credential,
  });
  if (!verified?.userVerified) {
    throw new StepUpError(
      'access_denied',
      'The passkey assertion did not verify (signature, origin, user verification or signature counter).',
    );
  }
  const at = deps.clock.now().toISOString();
  if (!(await deps.passkeys.useLink(link.id, link.nonce, at))) {
    throw new StepUpError(
      'invalid_grant',
      'This link was already used; click the button in Slack again for a new one.',
    );
  }
  if (!(await deps.passkeys.advanceCounter(link.user, credential.id, verified.newCounter, at))) {
    throw new StepUpError(
      'access_denied',
      'The passkey’s signature counter did not go up; the vote is refused.',
    );
  }
  const result = await recordVote(deps, {
    requestId: request.id,
    user: link.user,
    team: link.team,
    decision: link.decision,
    ...(reason ? { reason } : {}),
    passkey: { credentialId: credential.id, userVerified: true },
  });
  if (result.outcome === 'refused')
    throw new StepUpError('access_denied', result.message, { refusal: result.code });
  return result;
}
