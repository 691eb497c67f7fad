import { offerPasskeyLink } from '../../domain/passkey/offer-passkey-link';
import type { RecordVoteDeps, VoteInput } from '../../domain/votes/record-vote';
import type { PasskeyStore } from '../../ports/passkey-store';
import { requestLogger } from '../logger';

/** What a click needs to answer with a passkey link: the store and where the approval page is. */
export interface PasskeyClickDeps {
  readonly passkeys: PasskeyStore;
  /** The approval page's URL for a link secret. */
  readonly pageUrl: (secret: string) => string;
}

/**
 * A click on a request that needs a passkey (`@assurance("passkey")`) decides nothing: the clicker
 * gets a private one-time link instead (`offerPasskeyLink`).
 * @returns true when the click was answered that way (the caller does nothing more)
 */
export async function answeredWithPasskeyLink(
  voteDeps: RecordVoteDeps,
  passkey: PasskeyClickDeps | undefined,
  vote: VoteInput,
): Promise<boolean> {
  const request = await voteDeps.store.get(vote.requestId);
  if (request?.requirements.assurance !== 'passkey') return false;
  // Without the passkey path wired the click still changes nothing: recordVote refuses it.
  if (!passkey) return false;
  const offered = await offerPasskeyLink({ ...voteDeps, ...passkey }, vote);
  requestLogger(vote.requestId).info('slack click answered with a passkey link', {
    decision: vote.decision,
    user: vote.user,
    outcome: offered,
  });
  return true;
}
