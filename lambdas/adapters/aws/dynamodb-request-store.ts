import {
  ConditionalCheckFailedException,
  GetItemCommand,
  paginateQuery,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ApprovalRequest, AuditEvent } from '../../domain/requests/approval-request';
import { forEachBounded } from '../../domain/bounded-concurrency';
import { isOpen, workflowUnfinished } from '../../domain/requests/open-request';
import { noMetrics, type OperationalMetrics } from '../../ports/operational-metrics';
import {
  DuplicateRequestError,
  SLOW_DOWN_STEP_SECONDS,
  VersionConflictError,
  type Page,
  type PollGate,
  type RequestStore,
  type ResumableRequest,
} from '../../ports/request-store';
import { countOutcomes } from '../outcome-metrics';
import { AUDIT_INDEX, auditIndexAttributes, auditKey } from './audit-index';
import { changedAttributes } from './changed-attributes';
import { decodeCursor, encodeCursor } from './page-cursor';

const SORT_KEY = 'REQUEST';
const POLL_SORT_KEY = 'POLL';

/** Global secondary index on `agent` (partition) and `createdAt` (sort): every request of an agent. */
export const AGENT_INDEX = 'byAgent';

/**
 * The sparse global secondary index of open requests (`domain/requests/open-request.ts`): an item carries
 * its keys only while it is open, so the index holds what is pending, unfinished or unused, never
 * the history. One partition: the kill switch reads an agent's slice of the sort key, a restart the
 * part that carries `resume`. An item enters the index once and leaves it once (KEYS_ONLY plus
 * `resume`, written only when those change), far below one partition's write throughput.
 */
export const OPEN_INDEX = {
  name: 'open',
  partitionKey: 'openShard',
  sortKey: 'openKey',
  nonKeyAttributes: ['resume'],
} as const;

const OPEN_SHARD = 'OPEN';

/**
 * The partition of the same index that holds kill switch runs still going
 * (`dynamodb-kill-switch-ledger.ts`); the request queries above name {@link OPEN_SHARD}, so they never see them.
 */
export const KILL_SWITCH_SHARD = 'KILL_SWITCH';

/**
 * The agent's prefix of `openKey`: JSON-quoted, so no agent's prefix is the start of another's
 * (a quote inside an id is escaped), whatever characters an id holds.
 */
export function agentPrefix(agent: string): string {
  return JSON.stringify(agent);
}

/** How many open ids one kill-switch page lists: small, so a caller can stop between pages. */
const OPEN_PAGE_SIZE = 100;

/** How many requests {@link DynamoDbRequestStore.listUnfinished} reads at once. */
const UNFINISHED_READ_CONCURRENCY = 16;

/** The DynamoDB key of request `id`'s item (`sk` REQUEST), or of the item beside it (`POLL`). */
export function key(id: string, sk = SORT_KEY) {
  return marshall({ pk: `REQUEST#${id}`, sk });
}

/** The stored item: the request, plus the index attributes derived from it (sparse: only while open). */
function toItem(request: ApprovalRequest): Record<string, AttributeValue> {
  const open = isOpen(request)
    ? {
        [OPEN_INDEX.partitionKey]: OPEN_SHARD,
        // The id makes the key unique. DynamoDB would not mind two equal keys, but dynalite (the
        // local table) tells index entries with equal keys apart by a 24-bit hash of the item's key
        // only, so two requests of one agent created in the same millisecond could share an entry
        // and one would drop out of the index: never swept by the kill switch, never resumed.
        [OPEN_INDEX.sortKey]: `${agentPrefix(request.agent)}${request.createdAt} ${request.id}`,
      }
    : {};
  const resume: ResumableRequest | undefined = workflowUnfinished(request)
    ? { id: request.id, expiresAt: request.expiresAt, escalateTo: request.requirements.escalateTo }
    : undefined;
  return marshall(
    {
      pk: `REQUEST#${request.id}`,
      sk: SORT_KEY,
      ...request,
      ...open,
      resume,
      ...auditIndexAttributes(request),
    },
    { removeUndefinedValues: true },
  );
}

function idOf(item: Record<string, AttributeValue>): string {
  return (unmarshall(item).pk as string).slice('REQUEST#'.length);
}

function intervalOf(attributes: Parameters<typeof unmarshall>[0] | undefined, fallbackMs: number): number {
  const intervalMs = attributes ? (unmarshall(attributes).intervalMs as number | undefined) : undefined;
  return (intervalMs ?? fallbackMs) / 1000;
}

function fromItem(item: Parameters<typeof unmarshall>[0]): ApprovalRequest {
  const {
    pk: _pk,
    sk: _sk,
    openShard: _shard,
    openKey: _key,
    resume: _resume,
    [AUDIT_INDEX.partitionKey]: _auditShard,
    [AUDIT_INDEX.sortKey]: _auditKey,
    ...request
  } = unmarshall(item);
  return request as ApprovalRequest;
}

/**
 * {@link RequestStore} on one DynamoDB table (`pk`/`sk`); every write is a single conditional item
 * write. Each write that succeeds counts the outcomes it recorded (`countOutcomes`): only the writer
 * that changed the state counts it, so retries and lost races count nothing.
 */
export class DynamoDbRequestStore implements RequestStore {
  /**
   * @param metrics where outcome metrics go
   * @default metrics {@link noMetrics}
   */
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly metrics: OperationalMetrics = noMetrics,
  ) {}

  async create(request: ApprovalRequest): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(request),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new DuplicateRequestError(request.id);
      throw error;
    }
    countOutcomes(this.metrics, request, request.events);
  }

  async get(id: string): Promise<ApprovalRequest | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: key(id), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async save(current: ApprovalRequest, next: ApprovalRequest): Promise<void> {
    const update = changedAttributes(toItem(current), toItem(next));
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(next.id),
          UpdateExpression: update.expression,
          ConditionExpression: '#version = :previous',
          ExpressionAttributeNames: { ...update.names, '#version': 'version' },
          ExpressionAttributeValues: { ...update.values, ...marshall({ ':previous': current.version }) },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new VersionConflictError(next.id);
      throw error;
    }
    // The condition held, so the stored events were `current.events`: the rest are this write's.
    countOutcomes(this.metrics, next, next.events.slice(current.events.length));
  }

  async consumeToken(id: string, jti: string, nowEpochSeconds: number, event: AuditEvent): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(id),
          UpdateExpression:
            // The audit record rides in the same write as its own attribute, not appended to the
            // events list: introspection is the hot path, and rewriting a list costs.
            // The request moves to the top of the audit index with its consumption, as with any event.
            'SET consumedAt = :at, consumption = :event, #version = #version + :one, #auditKey = :auditKey',
          ConditionExpression:
            '#status = :approved AND delivery.jti = :jti AND delivery.#exp > :now AND attribute_not_exists(consumedAt) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeNames: {
            '#version': 'version',
            '#status': 'status',
            '#exp': 'exp',
            '#auditKey': AUDIT_INDEX.sortKey,
          },
          ExpressionAttributeValues: marshall(
            {
              ':at': event.at,
              ':auditKey': auditKey(event.at, id),
              ':one': 1,
              ':event': event,
              ':approved': 'APPROVED',
              ':jti': jti,
              ':now': nowEpochSeconds,
            },
            { removeUndefinedValues: true },
          ),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    this.metrics.count('TokenConsumed');
    return true;
  }

  async recordPoll(id: string, nowMs: number, initialIntervalSeconds: number): Promise<PollGate> {
    const initial = initialIntervalSeconds * 1000;
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(id, POLL_SORT_KEY),
          UpdateExpression:
            'SET nextPollAt = :now + if_not_exists(intervalMs, :initial), intervalMs = if_not_exists(intervalMs, :initial)',
          ConditionExpression: 'attribute_not_exists(nextPollAt) OR nextPollAt <= :now',
          ExpressionAttributeValues: marshall({ ':now': nowMs, ':initial': initial }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { onTime: true, intervalSeconds: intervalOf(Attributes, initial) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Attributes } = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: key(id, POLL_SORT_KEY),
        UpdateExpression: 'SET intervalMs = intervalMs + :step, nextPollAt = :now + intervalMs',
        ExpressionAttributeValues: marshall({ ':now': nowMs, ':step': SLOW_DOWN_STEP_SECONDS * 1000 }),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { onTime: false, intervalSeconds: intervalOf(Attributes, initial) };
  }

  async *listUnfinished(): AsyncIterable<ApprovalRequest> {
    // The index of open requests names them (the history is never read); each is then read whole,
    // consistently, since the reconciler decides on its current state.
    let cursor: string | undefined;
    do {
      const page = await this.listUnfinishedWorkflows(cursor);
      // A page's reads go out together, a few at a time (a restart reads every pending request).
      const requests = new Map<string, ApprovalRequest | undefined>();
      await forEachBounded(page.items, UNFINISHED_READ_CONCURRENCY, async ({ id }) => {
        requests.set(id, await this.get(id));
      });
      for (const { id } of page.items) {
        const request = requests.get(id);
        if (request) yield request;
      }
      cursor = page.cursor;
    } while (cursor);
  }

  async listByAgent(agent: string): Promise<string[]> {
    const ids: string[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        IndexName: AGENT_INDEX,
        KeyConditionExpression: '#agent = :agent',
        ExpressionAttributeNames: { '#agent': 'agent' },
        ExpressionAttributeValues: marshall({ ':agent': agent }),
        // KEYS_ONLY index: the table key (pk) is projected, the id is its suffix.
        ProjectionExpression: 'pk',
        ScanIndexForward: false,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) ids.push((unmarshall(item).pk as string).slice('REQUEST#'.length));
    }
    return ids;
  }

  async listOpenByAgent(agent: string, cursor?: string): Promise<Page<string>> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: OPEN_INDEX.name,
        KeyConditionExpression: '#shard = :shard AND begins_with(#key, :agent)',
        ExpressionAttributeNames: { '#shard': OPEN_INDEX.partitionKey, '#key': OPEN_INDEX.sortKey },
        ExpressionAttributeValues: marshall({ ':shard': OPEN_SHARD, ':agent': agentPrefix(agent) }),
        ProjectionExpression: 'pk',
        Limit: OPEN_PAGE_SIZE,
        ExclusiveStartKey: decodeCursor(cursor),
      }),
    );
    return { items: (page.Items ?? []).map(idOf), cursor: encodeCursor(page.LastEvaluatedKey) };
  }

  async listUnfinishedWorkflows(cursor?: string): Promise<Page<ResumableRequest>> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: OPEN_INDEX.name,
        KeyConditionExpression: '#shard = :shard',
        // Open but finished: an unused grant, which only the kill switch needs.
        FilterExpression: 'attribute_exists(#resume)',
        ExpressionAttributeNames: { '#shard': OPEN_INDEX.partitionKey, '#resume': 'resume' },
        ExpressionAttributeValues: marshall({ ':shard': OPEN_SHARD }),
        ProjectionExpression: '#resume',
        ExclusiveStartKey: decodeCursor(cursor),
      }),
    );
    return {
      items: (page.Items ?? []).map((item) => unmarshall(item).resume as ResumableRequest),
      cursor: encodeCursor(page.LastEvaluatedKey),
    };
  }
}
