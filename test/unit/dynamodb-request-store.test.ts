import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import type { ApprovalRequest, AuditEvent } from '../../lambdas/domain/requests/approval-request';
import { DuplicateRequestError, VersionConflictError } from '../../lambdas/ports/request-store';
import type { LocalDynamoDb } from '../../local/local-dynamodb';
import {
  ALICE,
  NOW,
  NOW_EPOCH_SECONDS,
  TEAM,
  pendingRequest,
  rejectionOf,
  useDynaliteStore,
} from './support/fixtures';

let db: LocalDynamoDb;
let store: DynamoDbRequestStore;
useDynaliteStore((s, d) => {
  store = s;
  db = d;
});

const EXP = NOW_EPOCH_SECONDS + 300;

/** An approved request whose token (`jti`) was delivered and expires at {@link EXP}. */
function delivered(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return pendingRequest({
    status: 'APPROVED',
    decidedAt: NOW.toISOString(),
    votes: [{ user: ALICE, team: TEAM, decision: 'approve', at: NOW.toISOString() }],
    grant: {
      jti: 'jti-1',
      ttlSeconds: 300,
      issuedAt: NOW.toISOString(),
      pickupBy: new Date(NOW.getTime() + 600_000).toISOString(),
      authorizationDetails: [
        {
          type: 'stepup_action',
          actions: ['db:DropTable'],
          identifier: 'orders',
          locations: ['db-admin-api'],
        },
      ],
    },
    delivery: { jti: 'jti-1', at: NOW.toISOString(), exp: EXP },
    version: 5,
    ...overrides,
  });
}

const consumed: AuditEvent = {
  type: 'token_consumed',
  at: NOW.toISOString(),
  actor: 'resource-server:db-admin-api',
  detail: { jti: 'jti-1' },
};

describe('DynamoDbRequestStore: create and get', () => {
  it('round-trips a request, optional fields included', async () => {
    const request = pendingRequest({
      onBehalfOf: 'carol@example.com',
      taskToken: 'tt',
      slackMessage: { channel: 'C0APPROVALS', ts: '1.2' },
      votes: [{ user: ALICE, team: TEAM, decision: 'deny', at: NOW.toISOString(), reason: 'no' }],
    });
    await store.create(request);
    expect(await store.get(request.id)).toEqual(request);
  });

  it('drops undefined optional fields instead of failing', async () => {
    const request = pendingRequest({ onBehalfOf: undefined, decidedAt: undefined });
    await store.create(request);
    const back = await store.get(request.id);
    expect(back).not.toHaveProperty('onBehalfOf');
    expect(back).toEqual(JSON.parse(JSON.stringify(request)));
  });

  it('stores under pk REQUEST#<id>, sk REQUEST, without leaking the keys into the request', async () => {
    const request = pendingRequest();
    await store.create(request);
    const { Item } = await db.client.send(
      new GetItemCommand({
        TableName: db.tableName,
        Key: { pk: { S: `REQUEST#${request.id}` }, sk: { S: 'REQUEST' } },
      }),
    );
    expect(Item?.status).toEqual({ S: 'PENDING' });
    const back = await store.get(request.id);
    expect(back).not.toHaveProperty('pk');
    expect(back).not.toHaveProperty('sk');
  });

  it('returns undefined for an unknown id', async () => {
    expect(await store.get('no-such-request')).toBeUndefined();
  });

  it('refuses a second create with the same id (DuplicateRequestError), keeping the first', async () => {
    const request = pendingRequest();
    await store.create(request);
    const error = await rejectionOf(store.create({ ...request, agent: 'someone-else' }));
    expect(error).toBeInstanceOf(DuplicateRequestError);
    expect((error as Error).message).toContain(request.id);
    expect((await store.get(request.id))?.agent).toBe(request.agent);
  });
});

describe('DynamoDbRequestStore: save (optimistic concurrency)', () => {
  it('replaces the request when the stored version is next.version - 1', async () => {
    const request = pendingRequest();
    await store.create(request);
    await store.save(request, { ...request, status: 'EXPIRED', version: request.version + 1 });
    expect(await store.get(request.id)).toMatchObject({ status: 'EXPIRED', version: request.version + 1 });
  });

  it('refuses a stale version with VersionConflictError and keeps the newer state', async () => {
    const request = pendingRequest();
    await store.create(request);
    await store.save(request, { ...request, status: 'APPROVED', version: 2 });
    for (const version of [2, 1, 4]) {
      const error = await rejectionOf(
        store.save({ ...request, version: version - 1 }, { ...request, status: 'DENIED', version }),
      );
      expect(error).toBeInstanceOf(VersionConflictError);
    }
    expect(await store.get(request.id)).toMatchObject({ status: 'APPROVED', version: 2 });
  });

  it('refuses to save a request that was never created', async () => {
    const request = pendingRequest({ version: 2 });
    expect(await rejectionOf(store.save({ ...request, version: 1 }, request))).toBeInstanceOf(
      VersionConflictError,
    );
    expect(await store.get(request.id)).toBeUndefined();
  });

  it('lets exactly one of 20 concurrent saves from the same version win', async () => {
    const request = pendingRequest();
    await store.create(request);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.save(request, { ...request, agent: `writer-${i}`, version: 2 }),
      ),
    );
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(VersionConflictError);
    expect((await store.get(request.id))?.agent).toBe(`writer-${winners[0]}`);
  });
});

describe('DynamoDbRequestStore: consumeToken', () => {
  it('consumes a delivered token once, recording the event and bumping the version', async () => {
    const request = delivered();
    await store.create(request);

    expect(await store.consumeToken(request.id, 'jti-1', NOW_EPOCH_SECONDS, consumed)).toBe(true);

    const after = await store.get(request.id);
    expect(after).toEqual({
      ...request,
      consumedAt: consumed.at,
      consumption: consumed,
      version: request.version + 1,
    });
    expect(await store.consumeToken(request.id, 'jti-1', NOW_EPOCH_SECONDS, consumed)).toBe(false);
    expect(await store.get(request.id)).toEqual(after);
  });

  it('refuses at and after the token expiry (now ≥ delivery.exp)', async () => {
    const request = delivered();
    await store.create(request);
    expect(await store.consumeToken(request.id, 'jti-1', EXP, consumed)).toBe(false);
    expect(await store.consumeToken(request.id, 'jti-1', EXP + 1, consumed)).toBe(false);
    expect(await store.get(request.id)).toEqual(request);
    expect(await store.consumeToken(request.id, 'jti-1', EXP - 1, consumed)).toBe(true);
  });

  it('refuses a wrong jti', async () => {
    const request = delivered();
    await store.create(request);
    expect(await store.consumeToken(request.id, 'jti-2', NOW_EPOCH_SECONDS, consumed)).toBe(false);
    expect(await store.consumeToken(request.id, '', NOW_EPOCH_SECONDS, consumed)).toBe(false);
    expect(await store.get(request.id)).toEqual(request);
  });

  it('refuses an undelivered token, a request that is not approved, and an unknown request', async () => {
    const undelivered = delivered({ delivery: undefined });
    const denied = delivered({ status: 'DENIED' });
    await store.create(undelivered);
    await store.create(denied);
    expect(await store.consumeToken(undelivered.id, 'jti-1', NOW_EPOCH_SECONDS, consumed)).toBe(false);
    expect(await store.consumeToken(denied.id, 'jti-1', NOW_EPOCH_SECONDS, consumed)).toBe(false);
    expect(await store.consumeToken('no-such-request', 'jti-1', NOW_EPOCH_SECONDS, consumed)).toBe(false);
    expect(await store.get('no-such-request')).toBeUndefined();
  });

  it('lets exactly one of 50 concurrent consumers succeed', async () => {
    const request = delivered();
    await store.create(request);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => store.consumeToken(request.id, 'jti-1', NOW_EPOCH_SECONDS, consumed)),
    );
    expect(results.filter((r) => r)).toHaveLength(1);
    const after = await store.get(request.id);
    expect(after?.version).toBe(request.version + 1);
    expect(after?.consumption).toEqual(consumed);
  });

  it('makes a save based on the pre-consumption version fail', async () => {
    const request = delivered();
    await store.create(request);
    await store.consumeToken(request.id, 'jti-1', NOW_EPOCH_SECONDS, consumed);
    const stale = await rejectionOf(store.save(request, { ...request, version: request.version + 1 }));
    expect(stale).toBeInstanceOf(VersionConflictError);
    expect((await store.get(request.id))?.consumedAt).toBe(consumed.at);
  });
});

describe('DynamoDbRequestStore.listByAgent', () => {
  it('returns every request of one agent through the byAgent index, newest first, and only theirs', async () => {
    const older = pendingRequest({ agent: 'lister-bot', createdAt: '2030-01-01T00:00:00.000Z' });
    const newer = pendingRequest({ agent: 'lister-bot', createdAt: '2030-01-02T00:00:00.000Z' });
    await store.create(older);
    await store.create(newer);
    await store.create(pendingRequest({ agent: 'someone-else' }));
    await store.recordPoll(newer.id, Date.now(), 5);
    expect(await store.listByAgent('lister-bot')).toEqual([newer.id, older.id]);
    expect(await store.listByAgent('nobody')).toEqual([]);
  });
});

describe('DynamoDbRequestStore.recordPoll', () => {
  it('lets a poll through once per interval and grows the interval by 5 s on every early one', async () => {
    const request = pendingRequest();
    await store.create(request);
    expect(await store.recordPoll(request.id, 1_000_000, 5)).toEqual({ onTime: true, intervalSeconds: 5 });
    expect(await store.recordPoll(request.id, 1_004_000, 5)).toEqual({ onTime: false, intervalSeconds: 10 });
    expect(await store.recordPoll(request.id, 1_009_000, 5)).toEqual({ onTime: true, intervalSeconds: 10 });
    expect(await store.get(request.id)).toEqual(request);
  });
});
