import type { CeremonyResponse, PasskeyCeremony } from '../../ports/passkey-ceremony';
import type { Clock } from '../../ports/clock';
import type { PasskeyStore } from '../../ports/passkey-store';
import { StepUpError } from '../errors';
import { usableLink } from './confirm-passkey-vote';
import { enrolChallenge } from './vote-challenge';

/** What registering a passkey needs. */
export interface EnrolPasskeyDeps {
  readonly passkeys: PasskeyStore;
  readonly ceremony: PasskeyCeremony;
  readonly clock: Clock;
}

/**
 * Registers a passkey for the Slack user an enrolment link was given to: the attestation must verify
 * (origin, RP ID, user verification) over the page's challenge; the link is used in one conditional
 * write, then the credential is stored with its public key, counter and transports.
 * @throws StepUpError invalid_grant (link unusable), access_denied (registration did not verify)
 */
export async function enrolPasskey(
  deps: EnrolPasskeyDeps,
  secret: string,
  response: CeremonyResponse,
): Promise<{ credentialId: string }> {
  const link = await usableLink(deps, secret, 'enrol');
  const at = deps.clock.now().toISOString();
  const credential = await deps.ceremony.verifyRegistration({
    response,
    challenge: enrolChallenge(link, link.nonce),
    at,
  });
  if (!credential) throw new StepUpError('access_denied', 'The passkey registration did not verify.');
  if (!(await deps.passkeys.useLink(link.id, link.nonce, at))) {
    throw new StepUpError('invalid_grant', 'This link was already used.');
  }
  if (!(await deps.passkeys.addCredential(link.user, credential))) {
    throw new StepUpError('conflict', 'This passkey is already registered.');
  }
  return { credentialId: credential.id };
}
