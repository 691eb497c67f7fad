import type { ApprovalRequest, AuditEvent, AuditEventType } from '../domain/requests/approval-request';
import {
  LOG_ONLY_DIMENSIONS,
  POLICY_OUTCOME_DIMENSION,
  type OperationalMetric,
  type OperationalMetrics,
} from '../ports/operational-metrics';

/**
 * The outcome metric of each audit event type. Every state change appends its audit event in the
 * same conditional write, so counting the events a successful write appended counts each outcome
 * exactly once: a retried step whose write found nothing to change appends nothing.
 * `auto_approved` is not here: it is `RequestCreated` with `policyOutcome=auto_approve`; nor is
 * `token_consumed`, which is kept beside the list and counted by the store's `consumeToken`.
 */
const METRIC_OF_EVENT: Partial<Record<AuditEventType, OperationalMetric>> = {
  requested: 'RequestCreated',
  approved: 'RequestApproved',
  denied: 'RequestDenied',
  expired: 'RequestExpired',
  cancelled: 'RequestCancelled',
  failed: 'RequestFailed',
  token_delivered: 'TokenDelivered',
  revoked: 'TokenRevoked',
  policy_log_only: 'PolicyLogOnly',
};

/** Counts the outcome metrics of the audit events one successful conditional write of `request` appended. */
export function countOutcomes(
  metrics: OperationalMetrics,
  request: ApprovalRequest,
  appended: readonly AuditEvent[],
): void {
  for (const event of appended) {
    const metric = METRIC_OF_EVENT[event.type];
    // A policy denial is already counted as RequestCreated{policyOutcome=deny}.
    if (!metric || (event.type === 'denied' && event.actor === 'policy')) continue;
    if (metric === 'RequestCreated') {
      metrics.count(metric, { [POLICY_OUTCOME_DIMENSION]: request.policyOutcome });
    } else if (metric === 'PolicyLogOnly') {
      // Policy ids are the operator's own, few and fixed: a bounded dimension.
      metrics.count(metric, {
        [LOG_ONLY_DIMENSIONS.policy]: String(event.detail?.policy),
        [LOG_ONLY_DIMENSIONS.wouldDecide]: String(event.detail?.would_decide),
      });
    } else {
      metrics.count(metric);
    }
  }
}
