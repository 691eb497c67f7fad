import {
  ConditionalCheckFailedException,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  HISTORY_SCOPES,
  WINDOW_COUNTERS,
  type AgentHistory,
  type ScopeHistory,
  type WindowCounter,
  type WindowCounts,
  NO_COUNTS,
} from '../../domain/agents/agent-history';
import { HISTORY_WINDOWS, type HistoryLeaf, type HistoryWindow } from '../../domain/agents/history-use';
import { StepUpError } from '../../domain/errors';
import type { AgentActivity, AgentHistoryStore, HistoryEvent } from '../../ports/agent-history-store';
import type { Page } from '../../ports/request-store';
import { batchGet } from './batch-get';
import { conditionalWrite } from './conditional-write';
import {
  AGENTS_PARTITION,
  PENDING_IDS,
  countedAttribute,
  dayKey,
  dayOf,
  hourAttribute,
  pendingKey,
  scopeId,
} from './history-keys';
import { decodeCursor, encodeCursor } from './page-cursor';

type Item = Record<string, AttributeValue>;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Agents per page of {@link DynamoDbAgentHistory.activity}: 8 day items each fit one BatchGetItem. */
const ACTIVITY_PAGE_SIZE = 12;

/** Days read for the 7-day totals: today and the 7 before (whole UTC days, at least 7 × 24 h). */
const WEEK_DAYS = 8;

const CURSOR = /^[A-Za-z0-9_-]{1,2048}$/;

/**
 * The start key a cursor of {@link DynamoDbAgentHistory.activity} stands for. A cursor is opaque to
 * callers; one we did not issue is a 400, never handed to DynamoDB as a malformed key.
 * @throws StepUpError `invalid_request`
 */
function agentsCursor(cursor: string | undefined): Item | undefined {
  if (cursor === undefined) return undefined;
  let key: Item | undefined;
  try {
    key = CURSOR.test(cursor) ? decodeCursor(cursor) : undefined;
  } catch {
    key = undefined;
  }
  const keys = key ? Object.keys(key).sort().join() : '';
  if (!key || keys !== 'pk,sk' || key.pk?.S !== AGENTS_PARTITION || typeof key.sk?.S !== 'string') {
    throw new StepUpError('invalid_request', 'cursor is not a cursor this API issued');
  }
  return key;
}

/**
 * Whether DynamoDB refused an update because a nested path's map does not exist (its one message
 * for that; no change was made).
 */
function isMissingMap(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === 'ValidationException' &&
    error.message.includes('document path provided in the update expression is invalid')
  );
}

/** `#s0`, `#s1`… for the scopes' attributes, as expression attribute names. */
function scopeNames(scopes: readonly string[]): Record<string, string> {
  return Object.fromEntries(scopes.map((scope, i) => [`#s${i}`, scope]));
}

// Items are read as DynamoDB sends them: the few numbers and set sizes wanted need no unmarshalling.

/** An item's key as one string, to find a read item again. */
function keyString(item: Item): string {
  return `${item.pk?.S ?? ''}|${item.sk?.S ?? ''}`;
}

/** The size of the id set in `attribute` of `item` (0 when absent). */
function sizeOf(item: Item | undefined, attribute: string): number {
  return item?.[attribute]?.SS?.length ?? 0;
}

/** The hour counters of one scope in one day item (`<counter>_<hh>` → count), or none. */
type ScopeDay = Readonly<Record<string, AttributeValue>> | undefined;

/** The window's counts over `hours` of `days`: of `counters` (the others 0). */
function sum(
  days: readonly ScopeDay[],
  hours: readonly [number, number][],
  counters: readonly WindowCounter[] = WINDOW_COUNTERS,
): WindowCounts {
  const counts = Object.fromEntries(WINDOW_COUNTERS.map((c) => [c, 0])) as Record<WindowCounter, number>;
  for (const [dayIndex, hour] of hours) {
    const day = days[dayIndex];
    if (!day) continue;
    for (const counter of counters) counts[counter] += Number(day[hourAttribute(counter, hour)]?.N ?? 0);
  }
  return counts;
}

/** The hours of each window as (day: 0 today, 1 yesterday; hour) pairs, at the hour `now` is in. */
function windowHours(now: Date): Record<HistoryWindow, [number, number][]> {
  const hour = now.getUTCHours();
  const lastHour: [number, number][] =
    hour === 0
      ? [
          [0, 0],
          [1, 23],
        ]
      : [
          [0, hour],
          [0, hour - 1],
        ];
  const last24h: [number, number][] = [];
  for (let h = 0; h <= hour; h++) last24h.push([0, h]);
  for (let h = hour; h < 24; h++) last24h.push([1, h]);
  return { last_hour: lastHour, last_24h: last24h };
}

/**
 * {@link AgentHistoryStore} in the requests' table (layout: `history-keys.ts`). A window counter is a
 * number in the agent's day item, added to by a write that also adds the request's id to a marker
 * set and holds only while the id is not in it, so a retry cannot count twice. `read` is one
 * `BatchGetItem` of the items holding the leaves asked for (at most 5: today's and yesterday's
 * counters, the three pending sets), only the scopes read projected.
 */
export class DynamoDbAgentHistory implements AgentHistoryStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async read(
    agent: string,
    action: string,
    resource: string,
    now: Date,
    leaves: readonly HistoryLeaf[],
  ): Promise<AgentHistory> {
    const hours = windowHours(now);
    const wanted = new Set(leaves);
    const reads = HISTORY_SCOPES.map((scope) => {
      // Per window, the counters asked for; a window with none is not read.
      const counters = Object.fromEntries(
        HISTORY_WINDOWS.map((w) => [w, WINDOW_COUNTERS.filter((c) => wanted.has(`${scope}.${w}.${c}`))]),
      ) as Record<HistoryWindow, WindowCounter[]>;
      const windows = HISTORY_WINDOWS.filter((w) => counters[w].length > 0);
      const pending = wanted.has(`${scope}.pending`);
      // A scope's id is a digest: computed only for the scopes read.
      const id = windows.length > 0 || pending ? scopeId(scope, action, resource) : '';
      return { counters, windows, pending, id };
    });
    // Only the items and attributes the leaves are in: a day item when a window reaching into that
    // day is read, a scope's pending item when its pending count is.
    const counted = reads.filter((r) => r.windows.length > 0);
    const dayIndexes = new Set(
      counted.flatMap((r) => r.windows.flatMap((w) => hours[w].map(([day]) => day))),
    );
    const bothDays = [dayOf(now), dayOf(new Date(now.getTime() - DAY_MS))];
    const days = bothDays.filter((_, i) => dayIndexes.has(i));
    const pending = reads.filter((r) => r.pending);
    const keys = [...days.map((day) => dayKey(agent, day)), ...pending.map((r) => pendingKey(agent, r.id))];
    const names = {
      '#pk': 'pk',
      '#sk': 'sk',
      ...(pending.length > 0 ? { '#ids': PENDING_IDS } : {}),
      ...scopeNames(counted.map((r) => r.id)),
    };
    const found = keys.length > 0 ? await batchGet(this.client, this.tableName, keys, names) : [];
    const items = new Map(found.map((item) => [keyString(item), item]));
    const itemAt = (key: Item) => items.get(keyString(key));
    const dayItems = bothDays.map((day) => itemAt(dayKey(agent, day)));
    const scopeHistory = ({ id, counters, pending: readsPending }: (typeof reads)[number]): ScopeHistory => {
      const scopeDays = dayItems.map((item) => item?.[id]?.M);
      const window = (w: HistoryWindow) =>
        counters[w].length > 0 ? sum(scopeDays, hours[w], counters[w]) : NO_COUNTS;
      return {
        last_hour: window('last_hour'),
        last_24h: window('last_24h'),
        pending: readsPending ? sizeOf(itemAt(pendingKey(agent, id)), PENDING_IDS) : 0,
      };
    };
    const [overall, forAction, onResource] = reads.map(scopeHistory) as [
      ScopeHistory,
      ScopeHistory,
      ScopeHistory,
    ];
    return { overall, action: forAction, action_on_resource: onResource };
  }

  async record(event: HistoryEvent): Promise<void> {
    const scopes = HISTORY_SCOPES.map((s) => scopeId(s, event.action, event.resource));
    const ids = new Set([event.requestId]);
    const writes: Promise<unknown>[] = [];
    if (event.counted.length > 0) writes.push(this.count(event, scopes));
    for (const scope of scopes.slice(1)) {
      if (event.pending) writes.push(this.changePending(pendingKey(event.agent, scope), event.pending, ids));
    }
    writes.push(this.touchAgent(event, ids));
    await Promise.all(writes);
  }

  /**
   * Adds the event's counters in every scope: one write that adds 1 to each counter and the id to
   * each counter's marker, only while the id is in none of them (a retried event, or one
   * half-recorded, counts nothing). A nested counter needs its scope's map: on the day's first count
   * in a scope that write is refused, changing nothing, and is made again once the maps exist.
   */
  private async count(event: HistoryEvent, scopes: readonly string[]): Promise<void> {
    const at = new Date(event.at);
    const key = dayKey(event.agent, dayOf(at));
    const scopeAttributes = scopeNames(scopes);
    const counters = Object.fromEntries(event.counted.map((c, i) => [`#c${i}`, hourAttribute(c, at)]));
    const markers = Object.fromEntries(event.counted.map((c, i) => [`#m${i}`, countedAttribute(c, at)]));
    const adds = Object.keys(scopeAttributes).flatMap((s) =>
      Object.keys(counters).map((c) => `${s}.${c} = if_not_exists(${s}.${c}, :zero) + :one`),
    );
    const counting = () =>
      conditionalWrite(
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: `SET ${adds.join(', ')} ADD ${Object.keys(markers)
              .map((m) => `${m} :ids`)
              .join(', ')}`,
            ConditionExpression: Object.keys(markers)
              .map((m) => `NOT contains(${m}, :id)`)
              .join(' AND '),
            ExpressionAttributeNames: { ...scopeAttributes, ...counters, ...markers },
            ExpressionAttributeValues: marshall({
              ':ids': new Set([event.requestId]),
              ':id': event.requestId,
              ':zero': 0,
              ':one': 1,
            }),
          }),
        ),
      );
    try {
      await counting();
    } catch (error) {
      if (!isMissingMap(error)) throw error;
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${Object.keys(scopeAttributes)
            .map((s) => `${s} = if_not_exists(${s}, :empty)`)
            .join(', ')}`,
          ExpressionAttributeNames: scopeAttributes,
          ExpressionAttributeValues: { ':empty': { M: {} } },
        }),
      );
      await counting();
    }
  }

  private changePending(key: Item, change: 'opened' | 'closed', ids: Set<string>) {
    return this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: `${change === 'opened' ? 'ADD' : 'DELETE'} #ids :ids`,
        ExpressionAttributeNames: { '#ids': PENDING_IDS },
        ExpressionAttributeValues: marshall({ ':ids': ids }),
      }),
    );
  }

  /** The agent's own item: its pending set, and its last activity (only ever moved forward). */
  private async touchAgent(event: HistoryEvent, ids: Set<string>): Promise<void> {
    const pending = event.pending ? ` ${event.pending === 'opened' ? 'ADD' : 'DELETE'} #ids :ids` : '';
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: pendingKey(event.agent, 'all'),
          UpdateExpression: `SET #agent = :agent, #last = :at${pending}`,
          ConditionExpression: 'attribute_not_exists(#last) OR #last < :at',
          ExpressionAttributeNames: {
            '#agent': 'agent',
            '#last': 'lastActivity',
            ...(pending ? { '#ids': PENDING_IDS } : {}),
          },
          ExpressionAttributeValues: marshall({
            ':agent': event.agent,
            ':at': event.at,
            ...(pending ? { ':ids': ids } : {}),
          }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // A later event was recorded first: keep its time, still apply the pending change.
      if (event.pending) await this.changePending(pendingKey(event.agent, 'all'), event.pending, ids);
    }
  }

  async activity(now: Date, cursor?: string): Promise<Page<AgentActivity>> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': AGENTS_PARTITION }),
        Limit: ACTIVITY_PAGE_SIZE,
        ExclusiveStartKey: agentsCursor(cursor),
      }),
    );
    const agents = page.Items ?? [];
    const days = Array.from({ length: WEEK_DAYS }, (_, i) => dayOf(new Date(now.getTime() - i * DAY_MS)));
    const keys = agents.flatMap((a) => days.map((day) => dayKey(a.agent?.S ?? '', day)));
    const names = { '#pk': 'pk', '#sk': 'sk', ...scopeNames(['all']) };
    const found = new Map(
      (keys.length > 0 ? await batchGet(this.client, this.tableName, keys, names) : []).map((item) => [
        keyString(item),
        item,
      ]),
    );
    const everyHour = days.flatMap((_, d) => Array.from({ length: 24 }, (__, h): [number, number] => [d, h]));
    const items: AgentActivity[] = agents.map((a) => {
      const agent = a.agent?.S ?? '';
      const dayItems = days.map((day) => found.get(`HISTORY#${agent}|DAY#${day}`)?.all?.M);
      return {
        agent,
        lastActivity: a.lastActivity?.S ?? '',
        pending: sizeOf(a, PENDING_IDS),
        last24h: sum(dayItems, windowHours(now).last_24h),
        last7d: sum(dayItems, everyHour),
      };
    });
    const next = encodeCursor(page.LastEvaluatedKey);
    return next ? { items, cursor: next } : { items };
  }
}
