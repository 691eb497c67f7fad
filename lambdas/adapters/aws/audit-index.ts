import { latestActivity } from '../../domain/audit/audit-record';
import type { ApprovalRequest } from '../../domain/requests/approval-request';

/**
 * The global secondary index of audit activity, newest first: every request item (keyed by the
 * instant of its latest event, so it moves to the top with each write that appends one) and every
 * refused-click item (keyed by its click). The operators' query reads it backwards from the newest
 * entry, or from `since`; it never scans the table.
 *
 * One partition (`AUDIT`), like the index of open requests: an index entry moves with each event a
 * write appends (a delete and a put in the index), about 16 index writes per request lifetime, so
 * one partition's 1,000 writes per second carry some 60 new requests per second, sustained. The
 * projection is the keys plus the filter attributes (and the refused click's event, small), not the
 * events: the index stays small to write, and a page reads the matched requests with `GetItem`.
 */
export const AUDIT_INDEX = {
  name: 'audit',
  partitionKey: 'auditShard',
  sortKey: 'auditKey',
  nonKeyAttributes: ['agent', 'action', 'resource', 'createdAt', 'event'],
} as const;

/** The index's one partition key value. */
export const AUDIT_SHARD = 'AUDIT';

/** The sort key of an entry: its instant, then the request id (instants are ISO, so they sort as text). */
export function auditKey(at: string, requestId: string): string {
  return `${at}#${requestId}`;
}

/** The index attributes of a stored request (every request has at least its `requested` event). */
export function auditIndexAttributes(request: ApprovalRequest): Record<string, string> {
  return {
    [AUDIT_INDEX.partitionKey]: AUDIT_SHARD,
    [AUDIT_INDEX.sortKey]: auditKey(latestActivity(request), request.id),
  };
}
