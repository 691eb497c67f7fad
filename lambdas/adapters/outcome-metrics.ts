import type { AuditEvent, AuditEventType } from '../domain/approval-request';
import {
  POLICY_OUTCOME_DIMENSION,
  type OperationalMetric,
  type OperationalMetrics,
} from '../ports/operational-metrics';

/**
 * The outcome metric of each audit event type. Every state change appends its audit event in the
 * same conditional write, so counting the events a successful write appended counts each outcome
 * exactly once: a retried step whose write found nothing to change appends nothing.
 * `auto_approved` is not here: it is `RequestCreated` with `policyOutcome=auto_approve`.
 */
const METRIC_OF_EVENT: Partial<Record<AuditEventType, OperationalMetric>> = {
  requested: 'RequestCreated',
  approved: 'RequestApproved',
  denied: 'RequestDenied',
  expired: 'RequestExpired',
  cancelled: 'RequestCancelled',
  // Hook for the FAILED terminal state: map its audit event here, e.g. `failed: 'RequestFailed'`.
  token_delivered: 'TokenDelivered',
  token_consumed: 'TokenConsumed',
  revoked: 'TokenRevoked',
};

/** Counts the outcome metrics of the audit events one successful conditional write appended. */
export function countOutcomes(metrics: OperationalMetrics, appended: readonly AuditEvent[]): void {
  for (const event of appended) {
    const metric = METRIC_OF_EVENT[event.type];
    // A policy denial is already counted as RequestCreated{policyOutcome=deny}.
    if (!metric || (event.type === 'denied' && event.actor === 'policy')) continue;
    if (metric === 'RequestCreated') {
      metrics.count(metric, { [POLICY_OUTCOME_DIMENSION]: String(event.detail?.outcome ?? 'unknown') });
    } else {
      metrics.count(metric);
    }
  }
}
