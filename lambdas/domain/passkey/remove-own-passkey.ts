import type { CeremonyResponse } from '../../ports/passkey-ceremony';
import { StepUpError } from '../errors';
import { usableLink } from './confirm-passkey-vote';
import type { EnrolPasskeyDeps } from './enrol-passkey';
import { provePasskey } from './prove-passkey';

/**
 * An approver removes one of their own passkeys through an enrolment link, confirming with an
 * assertion of one of their passkeys (the one removed, or another) over the `remove:<id>` challenge.
 * The link is used in one conditional write; the removal is one more, which also requires the
 * proving passkey to still be there with a counter that goes up.
 * @throws StepUpError invalid_grant (link unusable), access_denied (no such passkey, or no valid proof)
 */
export async function removeOwnPasskey(
  deps: EnrolPasskeyDeps,
  secret: string,
  credentialId: string,
  proof: CeremonyResponse,
): Promise<void> {
  const link = await usableLink(deps, secret, 'enrol');
  const at = deps.clock.now().toISOString();
  const existing = await deps.passkeys.credentials(link.user);
  if (!existing.some((c) => c.id === credentialId)) {
    throw new StepUpError('access_denied', 'You have no passkey with this id.');
  }
  const proven = await provePasskey(deps.ceremony, link, existing, proof, `remove:${credentialId}`, at);
  if (!(await deps.passkeys.useLink(link.id, link.nonce, at))) {
    throw new StepUpError('invalid_grant', 'This link was already used.');
  }
  if (!(await deps.passkeys.removeCredential(link.user, credentialId, proven))) {
    throw new StepUpError(
      'conflict',
      'Not removed: the passkey is already gone, or the one you confirmed with was removed or its signature counter did not go up.',
    );
  }
}
