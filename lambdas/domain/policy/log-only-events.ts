import type { PolicyDecision } from '../../ports/approval-policy';
import type { AuditEvent } from '../requests/approval-request';

/**
 * The audit events of the `@mode("log_only")` policies that would have determined `decision`: one
 * `policy_log_only` per policy, with its effect and the decision it would have led to. They go into
 * the request's trail in the write that creates the request, so the record is never lost or doubled.
 */
export function logOnlyEvents(decision: PolicyDecision, at: string): AuditEvent[] {
  if (!decision.logOnly) return [];
  const wouldDecide = decision.logOnly.decision.kind;
  return decision.logOnly.policies.map((policy) => ({
    type: 'policy_log_only',
    at,
    actor: 'policy',
    detail: {
      policy: policy.id,
      effect: policy.effect,
      would_decide: wouldDecide,
      decided: decision.kind,
    },
  }));
}
