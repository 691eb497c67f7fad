import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ApprovalRequest, AuditEvent } from '../../domain/requests/approval-request';
import { addedEvents, recordOf, type AuditRecord } from '../../domain/audit/audit-record';
import { REFUSAL_SORT_PREFIX } from './dynamodb-audit-log';

/** The part of a DynamoDB Streams record (`NEW_AND_OLD_IMAGES`) the export reads. */
export interface StreamRecord {
  readonly eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly dynamodb?: {
    readonly Keys?: Record<string, unknown>;
    readonly NewImage?: Record<string, unknown>;
    readonly OldImage?: Record<string, unknown>;
  };
}

function image(attributes: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  // Stream images are DynamoDB JSON, as the SDK's AttributeValue.
  return attributes && unmarshall(attributes as Record<string, AttributeValue>);
}

/**
 * The audit records one table change carries: the events a write added to a request (its new image
 * against its old), or a refused click stored. Other items (polls, idempotency keys, kill switch
 * runs) and removals carry none.
 */
export function auditRecordsOf(record: StreamRecord): AuditRecord[] {
  if (record.eventName === 'REMOVE') return [];
  const after = image(record.dynamodb?.NewImage);
  if (!after) return [];
  if (after.sk === 'REQUEST') {
    const before = image(record.dynamodb?.OldImage) as ApprovalRequest | undefined;
    const request = after as unknown as ApprovalRequest;
    return addedEvents(before, request).map((event) => recordOf(request, event));
  }
  if (
    record.eventName === 'INSERT' &&
    typeof after.sk === 'string' &&
    after.sk.startsWith(REFUSAL_SORT_PREFIX)
  ) {
    const id = String(after.pk).slice('REQUEST#'.length);
    const subject = {
      id,
      agent: String(after.agent),
      action: String(after.action),
      resource: String(after.resource),
    };
    return [recordOf(subject, after.event as AuditEvent)];
  }
  return [];
}
