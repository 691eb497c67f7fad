import { auditTrail, type ApprovalRequest, type AuditEvent } from '../requests/approval-request';

/**
 * One audit event with the request it belongs to: what the operator query lists and what the export
 * sends. Refused clicks are records too, though they belong to no request's chain (they change nothing).
 */
export interface AuditRecord {
  readonly requestId: string;
  readonly agent: string;
  readonly action: string;
  readonly resource: string;
  readonly event: AuditEvent;
}

/** What a request's records are about: copied onto a refused click, so the operator filters match it. */
export type AuditSubject = Pick<ApprovalRequest, 'id' | 'agent' | 'action' | 'resource'>;

/** The operator query (`GET /v1/audit/events`): every filter optional. */
export interface AuditQuery {
  readonly agent?: string;
  readonly action?: string;
  readonly resource?: string;
  /** ISO instant: events at or after it. */
  readonly since?: string;
  /** ISO instant: events at or before it. */
  readonly until?: string;
  /** Where the previous page ended (opaque, from the store). */
  readonly cursor?: string;
  /** At most this many requests or refused clicks per page. */
  readonly limit: number;
}

/** `event` of `subject` as a record. */
export function recordOf(subject: AuditSubject, event: AuditEvent): AuditRecord {
  const { id: requestId, agent, action, resource } = subject;
  return { requestId, agent, action, resource, event };
}

/** The instant of a request's latest event (the consumption record included): its place in the audit index. */
export function latestActivity(request: ApprovalRequest): string {
  const consumed = request.consumption?.at ?? '';
  return request.events.reduce((latest, event) => (event.at > latest ? event.at : latest), consumed);
}

/**
 * The events a write added to a request: those appended after `before`'s (every write only appends),
 * and the consumption record if this write set it. `before` undefined: the request was created.
 */
export function addedEvents(before: ApprovalRequest | undefined, after: ApprovalRequest): AuditEvent[] {
  const appended = after.events.slice(before?.events.length ?? 0);
  const consumed = after.consumption && !before?.consumption ? [after.consumption] : [];
  return [...appended, ...consumed];
}

/** The request's events within `[since, until]`, newest first, as records. */
export function recordsInWindow(request: ApprovalRequest, since?: string, until?: string): AuditRecord[] {
  return auditTrail(request)
    .filter(
      (event) => (since === undefined || event.at >= since) && (until === undefined || event.at <= until),
    )
    .reverse()
    .map((event) => recordOf(request, event));
}
