import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgeAuditSink } from '../adapters/aws/eventbridge-audit-sink';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { auditRecordsOf, type StreamRecord } from '../adapters/aws/stream-audit-records';
import { traced } from '../adapters/aws/tracing';
import { ENV, requireEnv } from '../adapters/env';
import type { AuditSink } from '../ports/audit-sink';
import { SDK_CLIENT_OPTIONS } from '../adapters/aws/sdk-client-options';

/**
 * The table's stream → the `stepup` EventBridge bus: every audit event a batch of table changes
 * carries, in order. A failure fails the batch, which the stream delivers again (exported events
 * carry a stable `metadata.uid` to de-duplicate on).
 */
export function exportAuditHandler(deps: { readonly sink: AuditSink }) {
  return async (event: { readonly Records: readonly StreamRecord[] }): Promise<void> => {
    await deps.sink.publish(event.Records.flatMap(auditRecordsOf));
  };
}

export const handler = lazyHandler(() =>
  exportAuditHandler({
    sink: new EventBridgeAuditSink(
      traced(new EventBridgeClient({ ...SDK_CLIENT_OPTIONS })),
      requireEnv(ENV.eventBusName),
    ),
  }),
);
