import { createHash } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import type { ApprovalRequest } from '../../lambdas/domain/requests/approval-request';
import { newRequestId } from '../../lambdas/domain/ids';
import type { LocalDynamoDb } from '../../local/local-dynamodb';
import { ALICE, NOW, TEAM, pendingRequest, useDynaliteStore } from './support/fixtures';
import { recordCommands } from './support/command-counter';

let db: LocalDynamoDb;
let store: DynamoDbRequestStore;
useDynaliteStore((s, d) => {
  store = s;
  db = d;
});

const at = NOW.toISOString();

/** An approved request with an issued, undelivered grant, or `overrides` on top of it. */
function approved(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return pendingRequest({
    status: 'APPROVED',
    decidedAt: at,
    votes: [{ user: ALICE, team: TEAM, decision: 'approve', at }],
    grant: { jti: 'jti-1', ttlSeconds: 300, issuedAt: at, pickupBy: at, authorizationDetails: [] },
    events: [
      { type: 'requested', at, actor: 'agent:deploy-bot' },
      { type: 'outcome_notified', at, actor: 'workflow' },
    ],
    ...overrides,
  });
}

async function openIds(agent: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listOpenByAgent(agent, cursor);
    ids.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return ids;
}

async function unfinishedIds(): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listUnfinishedWorkflows(cursor);
    ids.push(...page.items.map((r) => r.id));
    cursor = page.cursor;
  } while (cursor);
  return ids;
}

/** Two request ids whose dynalite table-key hashes (`db/index.js` `hashPrefix`) are equal: a birthday search. */
function idsWhoseDynaliteHashesCollide(): [string, string] {
  const seen = new Map<string, string>();
  for (;;) {
    const id = newRequestId();
    const hash = createHash('md5').update('Outliers').update(`REQUEST#${id}`).update('REQUEST').digest('hex');
    const other = seen.get(hash.slice(0, 6));
    if (other) return [other, id];
    seen.set(hash.slice(0, 6), id);
  }
}

describe('the index of open requests (sparse: only what is pending, unfinished or unused)', () => {
  it('lists an agent’s pending requests and unused grants, never its finished history, nor another agent’s', async () => {
    const agent = 'open-lister';
    const pending = pendingRequest({ agent });
    const unused = approved({ agent });
    const used = approved({ agent, consumedAt: at });
    const revoked = approved({ agent, revokedAt: at });
    const denied = pendingRequest({ agent, status: 'DENIED', decidedAt: at });
    // Prefixes of each other: the JSON-quoted prefix keeps them apart.
    const longer = pendingRequest({ agent: `${agent}-2` });
    const quoted = pendingRequest({ agent: `${agent}"` });
    for (const r of [pending, unused, used, revoked, denied, longer, quoted]) await store.create(r);

    expect((await openIds(agent)).sort()).toEqual([pending.id, unused.id].sort());
    expect(await openIds(`${agent}-2`)).toEqual([longer.id]);
    expect(await openIds(`${agent}"`)).toEqual([quoted.id]);
    expect(await openIds('nobody')).toEqual([]);
  });

  it('a request leaves the index with the write that closes it, and the attributes go with it', async () => {
    const request = pendingRequest({ agent: 'leaver' });
    await store.create(request);
    expect(await openIds('leaver')).toEqual([request.id]);
    const cancelled = {
      ...request,
      status: 'CANCELLED' as const,
      decidedAt: at,
      events: [...request.events, { type: 'cancelled' as const, at, actor: 'agent:leaver' }],
      version: 2,
    };
    await store.save(request, cancelled);
    expect(await openIds('leaver')).toEqual([]);
    const { Item } = await db.client.send(
      new GetItemCommand({
        TableName: db.tableName,
        Key: { pk: { S: `REQUEST#${request.id}` }, sk: { S: 'REQUEST' } },
      }),
    );
    expect(unmarshall(Item!)).not.toHaveProperty('openShard');
    expect(unmarshall(Item!)).not.toHaveProperty('openKey');
    expect(unmarshall(Item!)).not.toHaveProperty('resume');
    expect(await store.get(request.id)).toEqual(cancelled);
  });

  it('pages: 250 open requests come back in pages of 100, each exactly once', async () => {
    const agent = 'many-open';
    const created = Array.from({ length: 250 }, () => pendingRequest({ agent }));
    for (const r of created) await store.create(r);
    const first = await store.listOpenByAgent(agent);
    expect(first.items).toHaveLength(100);
    expect(first.cursor).toBeDefined();
    expect((await openIds(agent)).sort()).toEqual(created.map((r) => r.id).sort());
  });

  it('keeps two requests of one agent created in the same millisecond, even when dynalite’s key hashes collide', async () => {
    // dynalite tells index entries with equal index keys apart by the first 24 bits of an MD5 of the
    // item's table key: with equal `openKey`s, two ids whose hashes collide would share one entry.
    const [first, second] = idsWhoseDynaliteHashesCollide();
    const agent = 'same-millisecond';
    await store.create(pendingRequest({ agent, id: first }));
    await store.create(pendingRequest({ agent, id: second }));
    expect((await openIds(agent)).sort()).toEqual([first, second].sort());
  });

  it('lists unfinished workflows with what a restart needs, and skips unused grants whose workflow ended', async () => {
    const agent = 'resumer';
    const pending = pendingRequest({
      agent,
      requirements: { ...pendingRequest().requirements, escalateTo: 'sec' },
    });
    const awaitingGrant = approved({ agent, grant: undefined });
    const notNotified = pendingRequest({
      agent,
      status: 'DENIED',
      decidedAt: at,
      slackMessage: { channel: 'C1', ts: '1.1' },
    });
    const unusedFinished = approved({ agent });
    for (const r of [pending, awaitingGrant, notNotified, unusedFinished]) await store.create(r);

    const ids = await unfinishedIds();
    expect(ids).toEqual(expect.arrayContaining([pending.id, awaitingGrant.id, notNotified.id]));
    expect(ids).not.toContain(unusedFinished.id);
    const page = await store.listUnfinishedWorkflows();
    expect(page.items.find((r) => r.id === pending.id)).toEqual({
      id: pending.id,
      expiresAt: pending.expiresAt,
      escalateTo: 'sec',
    });
  });
});

describe('DynamoDbRequestStore.save writes only what changed', () => {
  it('appends new audit events with list_append, sends no unchanged attribute, and removes what the next request lacks', async () => {
    const request = pendingRequest({ agent: 'updater', taskToken: 'task-token-1' });
    await store.create(request);
    const sent = recordCommands(db.client);
    const decided: ApprovalRequest = {
      ...request,
      status: 'DENIED',
      decidedAt: at,
      taskToken: undefined,
      events: [...request.events, { type: 'denied', at, actor: 'slack:T/U' }],
      version: 2,
    };
    await store.save(request, decided);

    const [update] = sent.sent;
    expect(update?.name).toBe('UpdateItemCommand');
    const names = Object.values(update!.input.ExpressionAttributeNames as Record<string, string>);
    expect([...new Set(names)].sort()).toEqual(
      ['decidedAt', 'events', 'openKey', 'openShard', 'resume', 'status', 'taskToken', 'version'].sort(),
    );
    expect(update!.input.UpdateExpression).toMatch(/list_append/);
    expect(update!.input.UpdateExpression).toMatch(/REMOVE/);
    // Only the appended event travels, not the trail so far nor the unchanged justification.
    expect(JSON.stringify(update!.input)).not.toContain(request.justification);
    expect(JSON.stringify(update!.input)).not.toContain('"requested"');

    const stored = await store.get(request.id);
    expect(stored).toEqual({ ...decided, taskToken: undefined });
    expect(stored).not.toHaveProperty('taskToken');
  });

  it('rewrites the audit list whole when it did not just grow', async () => {
    const request = pendingRequest({ agent: 'rewriter' });
    await store.create(request);
    const next = {
      ...request,
      events: [{ type: 'requested' as const, at, actor: 'agent:other' }],
      version: 2,
    };
    await store.save(request, next);
    expect(await store.get(request.id)).toEqual(next);
  });
});
