import {
  ConditionalCheckFailedException,
  GetItemCommand,
  paginateQuery,
  paginateScan,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ApprovalRequest, AuditEvent } from '../../domain/approval-request';
import { noMetrics, type OperationalMetrics } from '../../ports/operational-metrics';
import {
  DuplicateRequestError,
  SLOW_DOWN_STEP_SECONDS,
  VersionConflictError,
  type PollGate,
  type RequestStore,
} from '../../ports/request-store';
import { countOutcomes } from '../outcome-metrics';

const SORT_KEY = 'REQUEST';
const POLL_SORT_KEY = 'POLL';

/** Global secondary index on `agent` (partition) and `createdAt` (sort): every request of an agent. */
export const AGENT_INDEX = 'byAgent';

function key(id: string, sk = SORT_KEY) {
  return marshall({ pk: `REQUEST#${id}`, sk });
}

function toItem(request: ApprovalRequest) {
  return marshall({ pk: `REQUEST#${request.id}`, sk: SORT_KEY, ...request }, { removeUndefinedValues: true });
}

function intervalOf(attributes: Parameters<typeof unmarshall>[0] | undefined, fallbackMs: number): number {
  const intervalMs = attributes ? (unmarshall(attributes).intervalMs as number | undefined) : undefined;
  return (intervalMs ?? fallbackMs) / 1000;
}

function fromItem(item: Parameters<typeof unmarshall>[0]): ApprovalRequest {
  const { pk: _pk, sk: _sk, ...request } = unmarshall(item);
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

  async save(next: ApprovalRequest): Promise<void> {
    let previousEvents: number;
    try {
      const { Attributes } = await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(next),
          ConditionExpression: '#version = :previous',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: marshall({ ':previous': next.version - 1 }),
          // The item this write replaced tells exactly which audit events it appended (no read
          // capacity is consumed for it).
          ReturnValues: 'ALL_OLD',
        }),
      );
      // The condition implies a previous item; were it ever missing, count nothing rather than all again.
      previousEvents = Attributes?.events?.L?.length ?? next.events.length;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new VersionConflictError(next.id);
      throw error;
    }
    countOutcomes(this.metrics, next, next.events.slice(previousEvents));
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
            'SET consumedAt = :at, consumption = :event, #version = #version + :one',
          ConditionExpression:
            '#status = :approved AND delivery.jti = :jti AND delivery.#exp > :now AND attribute_not_exists(consumedAt) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeNames: { '#version': 'version', '#status': 'status', '#exp': 'exp' },
          ExpressionAttributeValues: marshall(
            {
              ':at': event.at,
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
    // A scan, filtered server-side to the items that can still owe something; to be served by a sparse
    // index of unfinished requests once the table has one.
    const pages = paginateScan(
      { client: this.client },
      {
        TableName: this.tableName,
        ConsistentRead: true,
        FilterExpression:
          'sk = :sk AND (#status = :pending OR (#status = :approved AND attribute_not_exists(#grant)) OR ' +
          'attribute_exists(paging) OR attribute_exists(escalation.paging) OR attribute_exists(slackMessage))',
        ExpressionAttributeNames: { '#status': 'status', '#grant': 'grant' },
        ExpressionAttributeValues: marshall({
          ':sk': SORT_KEY,
          ':pending': 'PENDING',
          ':approved': 'APPROVED',
        }),
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) yield fromItem(item);
    }
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
}
