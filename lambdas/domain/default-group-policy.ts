import type { ApprovalPolicy, PolicyDecision } from '../ports/approval-policy';
import type { StepUpConfig } from './config';

/** Policy id recorded on requests decided by {@link defaultGroupPolicy}. */
export const DEFAULT_POLICY_ID = 'config:defaults';

/** Every request needs one approval from the config's default approver group. */
export function defaultGroupPolicy(config: StepUpConfig): ApprovalPolicy {
  const decision: PolicyDecision = {
    kind: 'step_up',
    requirements: {
      approverGroup: config.defaults.approvers,
      quorum: 1,
      approvalTimeoutSeconds: config.defaults.approvalTimeoutSeconds,
      maxTokenTtlSeconds: config.defaults.maxTokenTtlSeconds,
      policy: DEFAULT_POLICY_ID,
    },
  };
  return { decide: () => decision };
}
