import type { CeremonyOptions, PasskeyCeremony } from '../../ports/passkey-ceremony';
import type { Clock } from '../../ports/clock';
import type { PasskeyStore } from '../../ports/passkey-store';
import type { RequestStore } from '../../ports/request-store';
import type { ApprovalRequest } from '../requests/approval-request';
import {
  LINK_SECRET_PATTERN,
  linkIdOf,
  linkProblem,
  newNonce,
  type PasskeyCredential,
  type PasskeyLink,
} from './passkey-link';
import { changeChallenge, enrolChallenge, voteChallenge, type PasskeyChange } from './vote-challenge';

/** What the approval page needs. */
export interface PasskeyPageDeps {
  readonly store: RequestStore;
  readonly passkeys: PasskeyStore;
  readonly ceremony: Pick<PasskeyCeremony, 'registrationOptions' | 'authenticationOptions'>;
  readonly clock: Clock;
}

/** What the page shows for a link: a vote to confirm, an enrolment, or why neither. */
export type PasskeyPage =
  | {
      readonly kind: 'vote';
      readonly link: PasskeyLink;
      readonly request: ApprovalRequest;
      readonly options: CeremonyOptions;
    }
  | {
      readonly kind: 'enrol';
      readonly link: PasskeyLink;
      /** The approver's passkeys, which the page lists with a Remove button each. */
      readonly enrolled: readonly PasskeyCredential[];
      readonly options: CeremonyOptions;
      /**
       * For an approver who has passkeys, the assertion options of each change (`add`,
       * `remove:<id>`): an existing passkey must confirm it first.
       */
      readonly proofs: Readonly<Partial<Record<PasskeyChange, CeremonyOptions>>>;
    }
  | {
      readonly kind: 'unusable';
      /** `unknown`: no such link or request; `spent`: it existed but is used, expired or decided. */
      readonly reason: 'unknown' | 'spent';
      readonly message: string;
    };

/**
 * Reads a link for its page. The request is rendered from stored data only; each showing sets a
 * fresh nonce in the link, so the challenge the page asks the authenticator to sign is new and the
 * one that a later verification expects (a reload makes an earlier page's assertion useless).
 */
export async function openPasskeyPage(deps: PasskeyPageDeps, secret: string): Promise<PasskeyPage> {
  const link = LINK_SECRET_PATTERN.test(secret) ? await deps.passkeys.getLink(linkIdOf(secret)) : undefined;
  const problem = linkProblem(link, deps.clock.now());
  if (!link || problem)
    return { kind: 'unusable', reason: link ? 'spent' : 'unknown', message: problem ?? '' };
  const nonce = newNonce();
  const credentials = await deps.passkeys.credentials(link.user);
  if (link.purpose === 'enrol') {
    if (!(await deps.passkeys.setLinkNonce(link.id, nonce))) return used();
    const options = await deps.ceremony.registrationOptions({
      user: link.user,
      challenge: enrolChallenge(link, nonce),
      exclude: credentials,
    });
    const changes: PasskeyChange[] =
      credentials.length > 0 ? ['add', ...credentials.map((c): PasskeyChange => `remove:${c.id}`)] : [];
    const proofs: Partial<Record<PasskeyChange, CeremonyOptions>> = {};
    for (const change of changes) {
      proofs[change] = await deps.ceremony.authenticationOptions({
        challenge: changeChallenge(link, nonce, change),
        allow: credentials,
      });
    }
    return { kind: 'enrol', link, enrolled: credentials, options, proofs };
  }
  const request = link.requestId ? await deps.store.get(link.requestId) : undefined;
  if (!request) return { kind: 'unusable', reason: 'unknown', message: 'This request does not exist.' };
  if (request.status !== 'PENDING') {
    return {
      kind: 'unusable',
      reason: 'spent',
      message: `This request is already ${request.status.toLowerCase()}.`,
    };
  }
  if (credentials.length === 0) {
    return {
      kind: 'unusable',
      reason: 'spent',
      message: 'You have no passkey registered; click the button in Slack again.',
    };
  }
  if (!(await deps.passkeys.setLinkNonce(link.id, nonce))) return used();
  const options = await deps.ceremony.authenticationOptions({
    challenge: voteChallenge(request, link, nonce),
    allow: credentials,
  });
  return { kind: 'vote', link, request, options };
}

function used(): PasskeyPage {
  return {
    kind: 'unusable',
    reason: 'spent',
    message: 'This link was already used; click the button in Slack again for a new one.',
  };
}
