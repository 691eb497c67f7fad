import type { PasskeyStore } from '../../ports/passkey-store';
import { StepUpError } from '../errors';

/**
 * An operator removes every passkey of one approver (a lost or compromised device, someone who
 * left). Their next click on a passkey request hands them an enrolment link again.
 * @throws StepUpError forbidden when the caller is not an operator
 */
export async function revokePasskeys(
  deps: { readonly passkeys: PasskeyStore; readonly operators: readonly string[] },
  operator: string,
  user: string,
): Promise<{ removed: number }> {
  if (!deps.operators.includes(operator)) {
    throw new StepUpError('forbidden', 'only operators may revoke an approver’s passkeys');
  }
  return { removed: await deps.passkeys.removeCredentials(user) };
}
