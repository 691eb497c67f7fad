import type { AuditEventType } from '../requests/approval-request';
import type { AuditRecord } from './audit-record';
import { parametersDigest } from '../requests/parameters-digest';

/**
 * The export of audit events to where security teams look (an EventBridge bus in AWS, a JSON-lines
 * file locally): one exported event per audit event, in the shape of the OCSF class API Activity
 * (6003, category Application Activity). Why that class: every stepup audit event is something an
 * actor (an agent, an approver in Slack, a resource server, the workflow, an operator) did through
 * stepup's interfaces to one approval request about one resource, with an outcome — what API
 * Activity's actor, api, resources and status describe. The Identity & Access Management classes
 * (Authentication 3002, Authorize Session 3003) describe log-ons and session privileges of an
 * identity provider, not a per-action approval; stepup's own fields ride in `unmapped`.
 */

/** The `source` of every exported event (EventBridge `source`). */
export const EXPORT_SOURCE = 'stepup';

/** The OCSF version the mapping follows. */
export const OCSF_VERSION = '1.3.0';

const API_ACTIVITY = {
  class_uid: 6003,
  class_name: 'API Activity',
  category_uid: 6,
  category_name: 'Application Activity',
};

/** OCSF API Activity `activity_id`: 1 Create, 2 Read, 3 Update, 4 Delete. */
const ACTIVITY: Readonly<Record<AuditEventType, 1 | 2 | 3 | 4>> = {
  requested: 1,
  auto_approved: 3,
  policy_log_only: 3,
  notified: 3,
  escalated: 3,
  vote: 3,
  vote_refused: 3,
  approved: 3,
  denied: 3,
  expired: 3,
  grant_issued: 1,
  token_delivered: 2,
  token_consumed: 2,
  parameters_mismatch: 2,
  credentials_issued: 1,
  credentials_failed: 1,
  cancelled: 4,
  revoked: 4,
  failed: 3,
  outcome_notified: 3,
  action_outcome: 3,
};

const ACTIVITY_NAMES = { 1: 'Create', 2: 'Read', 3: 'Update', 4: 'Delete' } as const;

/** Events whose attempt did not succeed (OCSF `status_id` 2, Failure; severity Medium). */
const FAILURES: ReadonlySet<AuditEventType> = new Set([
  'vote_refused',
  'parameters_mismatch',
  'credentials_failed',
  'failed',
]);

/** One exported event: EventBridge's `detail-type` and `detail`. */
export interface ExportedEvent {
  /** `stepup.audit.<event type>`: one detail type per audit event type (rules match a prefix or one). */
  readonly detailType: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** The detail type of an audit event type. */
export function detailTypeOf(type: AuditEventType): string {
  return `stepup.audit.${type}`;
}

/** `record` as an OCSF-aligned API Activity event. */
export function exportedEvent(record: AuditRecord): ExportedEvent {
  const { event } = record;
  const activity = ACTIVITY[event.type];
  const failed = FAILURES.has(event.type);
  return {
    detailType: detailTypeOf(event.type),
    detail: {
      ...API_ACTIVITY,
      activity_id: activity,
      activity_name: ACTIVITY_NAMES[activity],
      type_uid: API_ACTIVITY.class_uid * 100 + activity,
      time: Date.parse(event.at),
      severity_id: failed ? 3 : 1,
      status_id: failed ? 2 : 1,
      ...(typeof event.detail?.refusal === 'string' ? { status_detail: event.detail.refusal } : {}),
      message: `${event.type}: ${record.action} on ${record.resource}`,
      metadata: {
        version: OCSF_VERSION,
        product: { name: 'stepup', vendor_name: 'stepup' },
        // Stable across re-deliveries (a stream retries): consumers de-duplicate on it.
        uid: parametersDigest({
          auth_req_id: record.requestId,
          type: event.type,
          at: event.at,
          actor: event.actor,
        }),
        correlation_uid: record.requestId,
      },
      actor: { user: { uid: event.actor } },
      api: { operation: event.type, service: { name: 'stepup' } },
      resources: [
        { uid: record.resource, type: 'stepup.resource' },
        { uid: record.requestId, type: 'stepup.request' },
      ],
      unmapped: {
        auth_req_id: record.requestId,
        agent: record.agent,
        action: record.action,
        event_type: event.type,
        at: event.at,
        ...(event.detail ? { detail: event.detail } : {}),
        ...(event.prev ? { prev: event.prev } : {}),
      },
    },
  };
}
