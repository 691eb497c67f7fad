import type { ApprovalPolicy } from '../../ports/approval-policy';
import { StepUpError } from '../errors';

/**
 * Refuses a request for an action the policy schema does not declare: nobody could ever decide
 * about it, so it is a malformed request (`invalid_request`, the field named, the declared actions listed), not a
 * decision. Nothing is stored. The value itself is not repeated.
 * @throws StepUpError `invalid_request`
 */
export function requireDeclaredAction(policy: Pick<ApprovalPolicy, 'actions'>, action: string): void {
  if (policy.actions.includes(action)) return;
  throw new StepUpError(
    'invalid_request',
    `action is not one the policy schema declares; it declares: ${policy.actions.join(', ')}`,
  );
}
