import {
  ConditionalCheckFailedException,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { KillSwitchLedger, KillSwitchProgress, KillSwitchRun } from '../../ports/kill-switch-ledger';
import type { Page } from '../../ports/request-store';
import { KILL_SWITCH_SHARD, OPEN_INDEX } from './dynamodb-request-store';
import { decodeCursor, encodeCursor } from './page-cursor';

const PARTITION_PREFIX = 'KILLSWITCH#';
const SORT_KEY = 'KILLSWITCH';

/** Attribute names, all aliased: several (`agent`, `operator`, `revoked`…) may be reserved words. */
const NAMES = {
  '#agent': 'agent',
  '#operator': 'operator',
  '#startedAt': 'startedAt',
  '#cancelled': 'cancelled',
  '#revoked': 'revoked',
  '#completedAt': 'completedAt',
} as const;

function key(agent: string) {
  return marshall({ pk: PARTITION_PREFIX + agent, sk: SORT_KEY });
}

function runOf(item: Parameters<typeof unmarshall>[0] | undefined): KillSwitchRun {
  // An update with `ReturnValues: ALL_NEW` always returns the item; a read may not find one.
  if (!item) throw new Error('kill switch run item missing');
  const { agent, operator, startedAt, cancelled, revoked, completedAt } = unmarshall(item);
  return { agent, operator, startedAt, cancelled, revoked, ...(completedAt ? { completedAt } : {}) };
}

/**
 * {@link KillSwitchLedger} in the requests' table: one item per agent (`KILLSWITCH#<agent>`), in the
 * `open` index's {@link KILL_SWITCH_SHARD} partition while its run goes on (sparse, like the open
 * requests: the reconciler finds unfinished runs without reading anything else).
 */
export class DynamoDbKillSwitchLedger implements KillSwitchLedger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async begin(agent: string, operator: string, at: string): Promise<KillSwitchRun> {
    return this.updateOrCurrent(agent, {
      UpdateExpression:
        'SET #agent = :agent, #operator = :operator, #startedAt = :at, #cancelled = :zero, #revoked = :zero, ' +
        '#shard = :shard, #key = :indexKey REMOVE #completedAt',
      // A run still going is joined, not restarted: its counts and its place in the index stay.
      ConditionExpression: 'attribute_not_exists(pk) OR attribute_exists(#completedAt)',
      ExpressionAttributeNames: {
        ...NAMES,
        '#shard': OPEN_INDEX.partitionKey,
        '#key': OPEN_INDEX.sortKey,
      },
      ExpressionAttributeValues: marshall({
        ':agent': agent,
        ':operator': operator,
        ':at': at,
        // Unique per run, as the open index's request keys are (`dynamodb-request-store.ts` toItem).
        ':indexKey': `${at} ${agent}`,
        ':zero': 0,
        ':shard': KILL_SWITCH_SHARD,
      }),
    });
  }

  async record(agent: string, startedAt: string, progress: KillSwitchProgress): Promise<KillSwitchRun> {
    const done = progress.completedAt !== undefined;
    return this.updateOrCurrent(agent, {
      UpdateExpression:
        'ADD #cancelled :cancelled, #revoked :revoked' +
        (done ? ' SET #completedAt = if_not_exists(#completedAt, :done) REMOVE #shard, #key' : ''),
      // Counts of a run that another pull has since replaced are dropped: that run swept again.
      ConditionExpression: '#startedAt = :startedAt',
      ExpressionAttributeNames: {
        '#cancelled': NAMES['#cancelled'],
        '#revoked': NAMES['#revoked'],
        '#startedAt': NAMES['#startedAt'],
        ...(done
          ? {
              '#completedAt': NAMES['#completedAt'],
              '#shard': OPEN_INDEX.partitionKey,
              '#key': OPEN_INDEX.sortKey,
            }
          : {}),
      },
      ExpressionAttributeValues: marshall(
        {
          ':cancelled': progress.cancelled,
          ':revoked': progress.revoked,
          ':startedAt': startedAt,
          ':done': progress.completedAt,
        },
        { removeUndefinedValues: true },
      ),
    });
  }

  async get(agent: string): Promise<KillSwitchRun | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: key(agent), ConsistentRead: true }),
    );
    return Item ? runOf(Item) : undefined;
  }

  async listRunning(cursor?: string): Promise<Page<string>> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: OPEN_INDEX.name,
        KeyConditionExpression: '#shard = :shard',
        ExpressionAttributeNames: { '#shard': OPEN_INDEX.partitionKey },
        ExpressionAttributeValues: marshall({ ':shard': KILL_SWITCH_SHARD }),
        ProjectionExpression: 'pk',
        ExclusiveStartKey: decodeCursor(cursor),
      }),
    );
    return {
      items: (page.Items ?? []).map((item) => (unmarshall(item).pk as string).slice(PARTITION_PREFIX.length)),
      cursor: encodeCursor(page.LastEvaluatedKey),
    };
  }

  /**
   * Applies one conditional update to the agent's run and returns the run after it; when the
   * condition fails (a run to join, a run since replaced), the run as it stands.
   */
  private async updateOrCurrent(
    agent: string,
    update: Omit<UpdateItemCommandInput, 'TableName' | 'Key' | 'ReturnValues'>,
  ): Promise<KillSwitchRun> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(agent),
          ReturnValues: 'ALL_NEW',
          ...update,
        }),
      );
      return runOf(Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const current = await this.get(agent);
    if (!current) throw new Error('kill switch run item vanished during a conditional update');
    return current;
  }
}
