import type { CeremonyResponse, PasskeyCeremony } from '../../ports/passkey-ceremony';
import type { PasskeyProof } from '../../ports/passkey-store';
import { StepUpError } from '../errors';
import type { PasskeyCredential, PasskeyLink } from './passkey-link';
import { changeChallenge, type PasskeyChange } from './vote-challenge';

/**
 * Verifies that the approver of an enrolment link asserted `change` with one of their passkeys (user
 * verification required). Writes nothing: the caller's conditional write re-checks that this passkey
 * is still there and advances its counter.
 * @throws StepUpError access_denied when there is no assertion, or it does not verify
 */
export async function provePasskey(
  ceremony: PasskeyCeremony,
  link: PasskeyLink & { nonce: string },
  credentials: readonly PasskeyCredential[],
  proof: CeremonyResponse | undefined,
  change: PasskeyChange,
  at: string,
): Promise<PasskeyProof> {
  if (!proof) {
    throw new StepUpError(
      'access_denied',
      'You already have a passkey: confirm this change with one of them first.',
    );
  }
  const credential = credentials.find((c) => c.id === proof.id);
  const verified = credential
    ? await ceremony.verifyAuthentication({
        response: proof,
        challenge: changeChallenge(link, link.nonce, change),
        credential,
      })
    : undefined;
  if (!credential || !verified?.userVerified) {
    throw new StepUpError(
      'access_denied',
      'The assertion of your existing passkey did not verify (passkey, signature, user verification).',
    );
  }
  return { credentialId: credential.id, counter: verified.newCounter, at };
}
