import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EXPORT_SOURCE, exportedEvent } from '../../domain/audit/audit-export';
import type { AuditRecord } from '../../domain/audit/audit-record';
import type { AuditSink } from '../../ports/audit-sink';

/** PutEvents takes at most 10 entries per call. */
const ENTRIES_PER_CALL = 10;

/** {@link AuditSink} on an EventBridge bus: one event per audit record (`exportedEvent`). */
export class EventBridgeAuditSink implements AuditSink {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(records: readonly AuditRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += ENTRIES_PER_CALL) {
      const entries = records.slice(i, i + ENTRIES_PER_CALL).map((record) => {
        const event = exportedEvent(record);
        return {
          EventBusName: this.busName,
          Source: EXPORT_SOURCE,
          DetailType: event.detailType,
          Detail: JSON.stringify(event.detail),
          Time: new Date(record.event.at),
          Resources: [],
        };
      });
      const result = await this.client.send(new PutEventsCommand({ Entries: entries }));
      if ((result.FailedEntryCount ?? 0) > 0) {
        // The whole batch is retried by the stream; consumers de-duplicate on metadata.uid.
        const codes = [...new Set((result.Entries ?? []).map((entry) => entry.ErrorCode).filter(Boolean))];
        throw new Error(`EventBridge refused ${result.FailedEntryCount} audit events (${codes.join(', ')})`);
      }
    }
  }
}
