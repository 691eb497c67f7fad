import { describe, expect, it } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import type { ApprovalRequest } from '../../lambdas/domain/requests/approval-request';
import { expireRequest } from '../../lambdas/domain/requests/expire-request';
import {
  ALICE,
  NOW,
  TEAM,
  expectStepUpError,
  fixedClock,
  storePendingRequest,
  rejectionOf,
  useDynaliteStore,
} from './support/fixtures';

let store: DynamoDbRequestStore;
const clock = fixedClock();
useDynaliteStore((s) => (store = s));

const stored = (overrides: Partial<ApprovalRequest> = {}) => storePendingRequest(store, overrides);

describe('expireRequest', () => {
  it('expires a pending request and records who closed it', async () => {
    const request = await stored();
    expect(await expireRequest({ store, clock }, request.id)).toEqual({ decision: 'EXPIRED' });
    const after = await store.get(request.id);
    expect(after?.status).toBe('EXPIRED');
    expect(after?.decidedAt).toBe(NOW.toISOString());
    expect(after?.version).toBe(request.version + 1);
    expect(after?.events.at(-1)).toEqual({
      type: 'expired',
      at: NOW.toISOString(),
      actor: 'workflow',
      prev: expect.any(String),
    });
  });

  it('keeps a decision that raced the timeout, and writes nothing', async () => {
    for (const status of ['APPROVED', 'DENIED', 'CANCELLED'] as const) {
      const request = await stored({
        status,
        decidedAt: NOW.toISOString(),
        votes: [{ user: ALICE, team: TEAM, decision: 'approve', at: NOW.toISOString() }],
      });
      expect(await expireRequest({ store, clock }, request.id)).toEqual({ decision: status });
      expect(await store.get(request.id)).toEqual(request);
    }
  });

  it('is idempotent: a retried step answers EXPIRED again without another write', async () => {
    const request = await stored();
    await expireRequest({ store, clock }, request.id);
    const once = await store.get(request.id);
    expect(await expireRequest({ store, clock }, request.id)).toEqual({ decision: 'EXPIRED' });
    expect(await store.get(request.id)).toEqual(once);
  });

  it('expires exactly once when retried concurrently', async () => {
    const request = await stored();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => expireRequest({ store, clock }, request.id)),
    );
    expect(outcomes.every((o) => o.decision === 'EXPIRED')).toBe(true);
    const after = await store.get(request.id);
    expect(after?.version).toBe(request.version + 1);
    expect(after?.events.filter((e) => e.type === 'expired')).toHaveLength(1);
  });

  it('fails with not_found for an unknown request', async () => {
    expectStepUpError(
      await rejectionOf(expireRequest({ store, clock }, 'no-such-request')),
      'not_found',
      404,
    );
  });
});
