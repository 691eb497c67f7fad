import type { AuditLog } from '../../ports/audit-log';
import type { Page } from '../../ports/request-store';
import type { AuditQuery, AuditRecord } from './audit-record';
import { StepUpError } from '../errors';

/** What the operators' audit query needs. */
export interface ListAuditEventsDeps {
  readonly log: AuditLog;
  /** Workload subs allowed to read every agent's audit events (config `operators`). */
  readonly operators: readonly string[];
}

/**
 * One page of the audit events of every agent, for operators only. The query is read only once the
 * caller is known to be an operator, so nobody else learns anything from its validation.
 * @param readQuery parses the caller's filters
 * @throws StepUpError `forbidden` for anyone but a configured operator
 */
export async function listAuditEvents(
  deps: ListAuditEventsDeps,
  caller: string,
  readQuery: () => AuditQuery,
): Promise<Page<AuditRecord>> {
  if (!deps.operators.includes(caller)) {
    throw new StepUpError(
      'forbidden',
      'only operators (config operators) may read the audit events of every agent',
    );
  }
  return deps.log.listEvents(readQuery());
}

/** A record as the API shows it: the event's members beside its request's. */
export function auditRecordView(record: AuditRecord): Record<string, unknown> {
  return {
    auth_req_id: record.requestId,
    agent: record.agent,
    action: record.action,
    resource: record.resource,
    ...record.event,
  };
}
