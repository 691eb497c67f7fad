import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ApprovalRequest, AuditEvent } from '../../domain/requests/approval-request';
import {
  recordOf,
  recordsInWindow,
  type AuditQuery,
  type AuditRecord,
  type AuditSubject,
} from '../../domain/audit/audit-record';
import { forEachBounded } from '../../domain/bounded-concurrency';
import { StepUpError } from '../../domain/errors';
import type { AuditLog } from '../../ports/audit-log';
import type { Page } from '../../ports/request-store';
import { AUDIT_INDEX, AUDIT_SHARD, auditKey } from './audit-index';
import { key } from './dynamodb-request-store';
import { decodeCursor, encodeCursor } from './page-cursor';

/** The sort key prefix of refused-click items, beside their request's item (`sk = REQUEST`). */
export const REFUSAL_SORT_PREFIX = 'REFUSED#';

/** Index entries one query reads at most: small entries, so a page of them stays far below 1 MB. */
const ENTRIES_PER_QUERY = 500;

/** Queries one call issues at most before answering a short page with a cursor (bounded latency). */
const QUERIES_PER_PAGE = 8;

/** Matched requests read at once. */
const READ_CONCURRENCY = 16;

/** The key attributes of an index entry: what `ExclusiveStartKey` needs to continue after it. */
const ENTRY_KEYS = ['pk', 'sk', AUDIT_INDEX.partitionKey, AUDIT_INDEX.sortKey] as const;

/** A cursor's start key, accepted only in the shape this log issues (never trusted as it comes). */
function startKeyOf(cursor: string | undefined): Record<string, AttributeValue> | undefined {
  if (cursor === undefined) return undefined;
  let start: unknown;
  try {
    start = decodeCursor(cursor);
  } catch {
    start = undefined;
  }
  const entries = typeof start === 'object' && start !== null ? Object.entries(start) : [];
  const wellFormed =
    entries.length === ENTRY_KEYS.length &&
    entries.every(
      ([name, value]) =>
        (ENTRY_KEYS as readonly string[]).includes(name) &&
        typeof value === 'object' &&
        value !== null &&
        Object.keys(value).length === 1 &&
        typeof (value as { S?: unknown }).S === 'string',
    ) &&
    (start as Record<string, { S: string }>)[AUDIT_INDEX.partitionKey]?.S === AUDIT_SHARD;
  if (!wellFormed) throw new StepUpError('invalid_request', 'cursor is not one this API returned');
  return start as Record<string, AttributeValue>;
}

/** The key condition and filter of a query: `since` bounds the index key, the rest filter entries. */
function conditions(query: AuditQuery) {
  const names: Record<string, string> = { '#shard': AUDIT_INDEX.partitionKey };
  const values: Record<string, string> = { ':shard': AUDIT_SHARD };
  const filters: string[] = [];
  let keyCondition = '#shard = :shard';
  if (query.since !== undefined) {
    // An entry's key is its latest event: an entry older than `since` has no event in the window.
    keyCondition += ' AND #key >= :since';
    names['#key'] = AUDIT_INDEX.sortKey;
    values[':since'] = query.since;
  }
  for (const field of ['agent', 'action', 'resource'] as const) {
    const value = query[field];
    if (value === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    filters.push(`#${field} = :${field}`);
  }
  if (query.until !== undefined) {
    // A request created after `until` (or a click after it) has no event in the window.
    names['#createdAt'] = 'createdAt';
    names['#event'] = 'event';
    names['#at'] = 'at';
    values[':until'] = query.until;
    filters.push('(#createdAt <= :until OR #event.#at <= :until)');
  }
  return {
    KeyConditionExpression: keyCondition,
    FilterExpression: filters.length > 0 ? filters.join(' AND ') : undefined,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: marshall(values),
  };
}

function entryKey(entry: Record<string, AttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(ENTRY_KEYS.map((name) => [name, entry[name] as AttributeValue]));
}

/**
 * {@link AuditLog} on the request table: refused clicks are items `REFUSED#<at>#<team>/<user>#<decision>`
 * in their request's partition; the query reads the index {@link AUDIT_INDEX} backwards (`Query`,
 * never `Scan`), then each matched request with `GetItem`.
 */
export class DynamoDbAuditLog implements AuditLog {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async recordRefusal(subject: AuditSubject, event: AuditEvent): Promise<void> {
    // The click's own key: unique in the index too (dynalite tells equal index keys apart only by a
    // short hash of the table key, and two refusals of one request can share a millisecond).
    const click = `${event.at}#${event.actor}#${String(event.detail?.decision ?? '')}`;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall(
            {
              pk: `REQUEST#${subject.id}`,
              sk: `${REFUSAL_SORT_PREFIX}${click}`,
              [AUDIT_INDEX.partitionKey]: AUDIT_SHARD,
              [AUDIT_INDEX.sortKey]: `${auditKey(event.at, subject.id)}#${click}`,
              agent: subject.agent,
              action: subject.action,
              resource: subject.resource,
              event,
            },
            { removeUndefinedValues: true },
          ),
          // The same click again (a retry) is the record already stored.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async listEvents(query: AuditQuery): Promise<Page<AuditRecord>> {
    const entries: Record<string, AttributeValue>[] = [];
    let start = startKeyOf(query.cursor);
    let cursor: string | undefined;
    for (let queries = 0; ; queries++) {
      if (queries === QUERIES_PER_PAGE) {
        cursor = encodeCursor(start);
        break;
      }
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: AUDIT_INDEX.name,
          ...conditions(query),
          ScanIndexForward: false,
          Limit: ENTRIES_PER_QUERY,
          ExclusiveStartKey: start,
        }),
      );
      const items = page.Items ?? [];
      const room = query.limit - entries.length;
      entries.push(...items.slice(0, room));
      if (items.length > room) {
        cursor = encodeCursor(entryKey(entries[entries.length - 1] as Record<string, AttributeValue>));
        break;
      }
      start = page.LastEvaluatedKey;
      if (!start || entries.length === query.limit) {
        cursor = encodeCursor(start);
        break;
      }
    }
    return { items: await this.recordsOf(entries, query), cursor };
  }

  /** The records of matched entries: a refused click from the entry itself, a request read whole. */
  private async recordsOf(
    entries: Record<string, AttributeValue>[],
    query: AuditQuery,
  ): Promise<AuditRecord[]> {
    const requests = new Map<string, ApprovalRequest | undefined>();
    const requestIds = entries
      .filter((entry) => entry.sk?.S === 'REQUEST')
      .map((entry) => (entry.pk?.S ?? '').slice('REQUEST#'.length));
    await forEachBounded(requestIds, READ_CONCURRENCY, async (id) => {
      const { Item } = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: key(id) }),
      );
      requests.set(id, Item ? (unmarshall(Item) as ApprovalRequest) : undefined);
    });
    const records = entries.flatMap((entry): AuditRecord[] => {
      const stored = unmarshall(entry);
      const id = (stored.pk as string).slice('REQUEST#'.length);
      if (stored.sk !== 'REQUEST') {
        const event = stored.event as AuditEvent;
        const { since, until } = query;
        const inWindow =
          (since === undefined || event.at >= since) && (until === undefined || event.at <= until);
        return inWindow
          ? [recordOf({ id, agent: stored.agent, action: stored.action, resource: stored.resource }, event)]
          : [];
      }
      const request = requests.get(id);
      return request ? recordsInWindow(request, query.since, query.until) : [];
    });
    // Newest first across the page (each entry's events are already).
    return records.sort((a, b) => (a.event.at < b.event.at ? 1 : a.event.at > b.event.at ? -1 : 0));
  }
}
