import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAgentHistory } from '../../lambdas/adapters/aws/dynamodb-agent-history';
import type { HistoryEvent } from '../../lambdas/ports/agent-history-store';
import { HISTORY_LEAVES, historyAt, type HistoryLeaf } from '../../lambdas/domain/agents/history-use';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../local/local-dynamodb';
import { recordCommands, type SentCommands } from '../unit/support/command-counter';

/** The history's counters in dynalite over the real SDK: exact under concurrency and retries. */
describe('DynamoDbAgentHistory', () => {
  let dynamo: LocalDynamoDb;
  let history: DynamoDbAgentHistory;
  let commands: SentCommands;
  beforeAll(async () => {
    dynamo = await startLocalDynamoDb();
    history = new DynamoDbAgentHistory(dynamo.client, dynamo.tableName);
    commands = recordCommands(dynamo.client);
  });
  afterAll(async () => dynamo.close());

  const now = new Date('2026-12-03T10:30:00Z');
  const event = (agent: string, i: number, overrides: Partial<HistoryEvent> = {}): HistoryEvent => ({
    agent,
    action: 'db:DeleteRows',
    resource: `prod/t${i % 2}`,
    requestId: `req-${i}`,
    at: now.toISOString(),
    counted: ['requests'],
    ...overrides,
  });

  it('50 concurrent requests, each recorded twice: every scope counts each once', async () => {
    const events = Array.from({ length: 50 }, (_, i) => event('busy', i, { pending: 'opened' }));
    await Promise.all([...events, ...events].map((e) => history.record(e)));
    const read = await history.read('busy', 'db:DeleteRows', 'prod/t0', now, HISTORY_LEAVES);
    expect(read.overall.last_hour.requests).toBe(50);
    expect(read.overall.last_24h.requests).toBe(50);
    expect(read.action.last_hour.requests).toBe(50);
    expect(read.action_on_resource.last_hour.requests).toBe(25);
    expect([read.overall.pending, read.action.pending, read.action_on_resource.pending]).toEqual([
      50, 50, 25,
    ]);

    const outcomes = events.map((e, i) => ({
      ...e,
      counted: [i % 5 === 0 ? ('denied' as const) : ('approved' as const)],
      pending: 'closed' as const,
    }));
    await Promise.all([...outcomes, ...outcomes].map((e) => history.record(e)));
    const after = await history.read('busy', 'db:DeleteRows', 'prod/t0', now, HISTORY_LEAVES);
    expect(after.overall.last_hour).toEqual({ requests: 50, approved: 40, denied: 10, expired: 0 });
    expect(after.action_on_resource.last_hour).toEqual({ requests: 25, approved: 20, denied: 5, expired: 0 });
    expect(after.overall.pending).toBe(0);
  });

  it('windows: last_hour is this clock hour and the one before, last_24h reaches into yesterday', async () => {
    const at = (iso: string, i: number) => event('windows', i, { at: iso, resource: 'prod/t0' });
    await history.record(at('2026-12-03T10:05:00Z', 1)); // this hour
    await history.record(at('2026-12-03T09:10:00Z', 2)); // the hour before
    await history.record(at('2026-12-03T08:59:00Z', 3)); // in the 24 h only
    await history.record(at('2026-12-02T10:00:00Z', 4)); // yesterday, this clock hour: in the 24 h
    await history.record(at('2026-12-02T09:59:00Z', 5)); // yesterday, before it: outside
    const read = await history.read('windows', 'db:DeleteRows', 'prod/t0', now, HISTORY_LEAVES);
    expect(read.overall.last_hour.requests).toBe(2);
    expect(read.overall.last_24h.requests).toBe(4);
    expect(read.action_on_resource.last_24h.requests).toBe(4);
  });

  it('an agent with no past reads as zeros; another resource is another scope', async () => {
    await history.record(event('scoped', 0));
    const other = await history.read('scoped', 'db:DeleteRows', 'prod/elsewhere', now, HISTORY_LEAVES);
    expect(other.overall.last_hour.requests).toBe(1);
    expect(other.action_on_resource.last_hour.requests).toBe(0);
    const nobody = await history.read('nobody', 'db:DeleteRows', 'prod/t0', now, HISTORY_LEAVES);
    expect(nobody.overall.last_24h).toEqual({ requests: 0, approved: 0, denied: 0, expired: 0 });
  });

  it('reads only the items holding the leaves asked for, which read as in a whole read', async () => {
    // The keys of each BatchGetItem the read sends.
    const keysFor = async (leaves: readonly HistoryLeaf[], at = now) => {
      const whole = await history.read('windows', 'db:DeleteRows', 'prod/t0', at, HISTORY_LEAVES);
      commands.clear();
      const part = await history.read('windows', 'db:DeleteRows', 'prod/t0', at, leaves);
      expect(historyAt(part, leaves)).toEqual(historyAt(whole, leaves));
      return commands.sent
        .filter(({ name }) => name === 'BatchGetItemCommand')
        .map(
          ({ input }) =>
            Object.values(input.RequestItems as Record<string, { Keys: unknown[] }>)[0]?.Keys.length,
        );
    };
    expect(await keysFor(['action.last_hour.requests'])).toEqual([1]); // today's item
    expect(await keysFor(['action.last_hour.requests'], new Date('2026-12-03T00:30:00Z'))).toEqual([2]);
    expect(await keysFor(['action.last_24h.denied', 'overall.last_hour.requests'])).toEqual([2]);
    expect(await keysFor(['action_on_resource.pending'])).toEqual([1]); // its pending item
    expect(await keysFor(['overall.last_24h.requests', 'overall.pending', 'action.pending'])).toEqual([4]);
    expect(await keysFor(HISTORY_LEAVES)).toEqual([5]);
    expect(await keysFor([])).toEqual([]); // nothing read at all
  });

  it('a count is one write to the day item once its scopes have their maps', async () => {
    const dayWrites = () =>
      commands.sent.filter(
        ({ name, input }) =>
          name === 'UpdateItemCommand' &&
          (input.Key as { sk?: { S?: string } }).sk?.S?.startsWith('DAY#') === true,
      );
    commands.clear();
    await history.record(event('one-write', 1));
    // Refused for want of the maps (nothing changed), the maps made, the count made again.
    expect(dayWrites()).toHaveLength(3);
    commands.clear();
    await history.record(event('one-write', 3)); // the same resource
    await history.record(event('one-write', 3)); // a retry: refused by its marker, counts nothing
    expect(dayWrites()).toHaveLength(2);
    const read = await history.read('one-write', 'db:DeleteRows', 'prod/t1', now, HISTORY_LEAVES);
    expect(read.overall.last_hour.requests).toBe(2);
    expect(read.action_on_resource.last_hour.requests).toBe(2);
  });

  it('GET /v1/agents: the overall counts of the last 24 h and 7 days', async () => {
    const page = await history.activity(now);
    const busy = page.items.find((a) => a.agent === 'busy');
    expect(busy?.last24h).toEqual({ requests: 50, approved: 40, denied: 10, expired: 0 });
    expect(busy?.last7d.requests).toBe(50);
    expect(page.items.find((a) => a.agent === 'windows')?.last7d.requests).toBe(5);
  });
});
