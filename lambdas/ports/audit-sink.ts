import type { AuditRecord } from '../domain/audit/audit-record';

/** Where audit events are exported (an EventBridge bus, a local JSON-lines file). */
export interface AuditSink {
  /** Exports every record, in order; throws if any could not be (the caller's retry sends them again). */
  publish(records: readonly AuditRecord[]): Promise<void>;
}
