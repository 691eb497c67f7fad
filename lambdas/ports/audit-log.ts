import type { AuditEvent } from '../domain/requests/approval-request';
import type { AuditQuery, AuditRecord, AuditSubject } from '../domain/audit/audit-record';
import type { Page } from './request-store';

/**
 * The audit events beyond one request's own trail: refused clicks (stored beside the request,
 * outside its item and its hash chain, because they change nothing) and the operators' query over
 * every request, answered from an index, never a scan.
 */
export interface AuditLog {
  /**
   * Stores a refused click of `subject` as its own record; the same click stored twice (a Slack
   * retry) is one record.
   */
  recordRefusal(subject: AuditSubject, event: AuditEvent): Promise<void>;
  /**
   * One page of audit records matching `query`, newest activity first; a page may be short (even
   * empty) and still have a cursor when the index had more to read.
   * @throws StepUpError `invalid_request` for a cursor this log did not issue
   */
  listEvents(query: AuditQuery): Promise<Page<AuditRecord>>;
}
