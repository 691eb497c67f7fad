import type { CeremonyResponse, PasskeyCeremony } from '../../ports/passkey-ceremony';
import type { Clock } from '../../ports/clock';
import type { PasskeyStore } from '../../ports/passkey-store';
import { StepUpError } from '../errors';
import { usableLink } from './confirm-passkey-vote';
import { provePasskey } from './prove-passkey';
import { enrolChallenge } from './vote-challenge';

/** What registering a passkey needs. */
export interface EnrolPasskeyDeps {
  readonly passkeys: PasskeyStore;
  readonly ceremony: PasskeyCeremony;
  readonly clock: Clock;
}

/**
 * Registers a passkey for the Slack user an enrolment link was given to: the attestation must verify
 * (origin, RP ID, user verification) over the page's challenge. An approver who already has passkeys
 * must also present an assertion of one of them over the `add` challenge (`proof`): a Slack session
 * alone adds no passkey to an enrolled approver. The link is used in one conditional write, then the
 * credential stored in one more (which, with a proof, also requires the proving passkey to still be
 * there and its counter to go up).
 * @throws StepUpError invalid_grant (link unusable), access_denied (no proof, or nothing verified)
 */
export async function enrolPasskey(
  deps: EnrolPasskeyDeps,
  secret: string,
  response: CeremonyResponse,
  proof?: CeremonyResponse,
): Promise<{ credentialId: string }> {
  const link = await usableLink(deps, secret, 'enrol');
  const at = deps.clock.now().toISOString();
  const existing = await deps.passkeys.credentials(link.user);
  const proven =
    existing.length > 0 ? await provePasskey(deps.ceremony, link, existing, proof, 'add', at) : undefined;
  const credential = await deps.ceremony.verifyRegistration({
    response,
    challenge: enrolChallenge(link, link.nonce),
    at,
  });
  if (!credential) throw new StepUpError('access_denied', 'The passkey registration did not verify.');
  if (!(await deps.passkeys.useLink(link.id, link.nonce, at))) {
    throw new StepUpError('invalid_grant', 'This link was already used.');
  }
  if (!(await deps.passkeys.addCredential(link.user, credential, proven))) {
    throw new StepUpError(
      'conflict',
      proven
        ? 'Not registered: this passkey is already registered, or the one you confirmed with was removed or its signature counter did not go up.'
        : 'This passkey is already registered.',
    );
  }
  return { credentialId: credential.id };
}
