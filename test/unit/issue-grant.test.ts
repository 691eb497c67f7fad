import { describe, expect, it } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import type { ApprovalRequest } from '../../lambdas/domain/requests/approval-request';
import { GRANT_PICKUP_SECONDS, issueGrant } from '../../lambdas/domain/tokens/issue-grant';
import {
  NOW,
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

describe('issueGrant', () => {
  it('grants exactly the approved action, resource and audience, with a fresh jti', async () => {
    const request = await stored({
      status: 'APPROVED',
      decidedAt: NOW.toISOString(),
      requestedTtlSeconds: 90,
    });
    await issueGrant({ store, clock }, request.id);
    const after = await store.get(request.id);
    expect(after?.grant).toEqual({
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      ttlSeconds: 90,
      issuedAt: NOW.toISOString(),
      pickupBy: new Date(NOW.getTime() + GRANT_PICKUP_SECONDS * 1000).toISOString(),
      authorizationDetails: [
        {
          type: 'stepup_action',
          actions: [request.action],
          identifier: request.resource,
          locations: [request.audience],
        },
      ],
    });
    expect(after?.events.at(-1)).toEqual({
      type: 'grant_issued',
      at: NOW.toISOString(),
      // 'stepup', not 'workflow': the same grant step now also serves auto-approval.
      actor: 'stepup',
      detail: { jti: after?.grant?.jti },
      prev: expect.any(String),
    });
    expect(after?.version).toBe(request.version + 1);
  });

  it('is idempotent: a second call keeps the same jti and writes nothing', async () => {
    const request = await stored({ status: 'APPROVED', decidedAt: NOW.toISOString() });
    await issueGrant({ store, clock }, request.id);
    const first = await store.get(request.id);
    await issueGrant({ store, clock: fixedClock(new Date(NOW.getTime() + 5000)) }, request.id);
    const second = await store.get(request.id);
    expect(second?.grant?.jti).toBe(first?.grant?.jti);
    expect(second).toEqual(first);
  });

  it('issues one grant when retried concurrently', async () => {
    const request = await stored({ status: 'APPROVED', decidedAt: NOW.toISOString() });
    await Promise.all(Array.from({ length: 10 }, () => issueGrant({ store, clock }, request.id)));
    const after = await store.get(request.id);
    expect(after?.version).toBe(request.version + 1);
    expect(after?.events.filter((e) => e.type === 'grant_issued')).toHaveLength(1);
  });

  it('grants nothing for a request that is not approved', async () => {
    for (const status of ['PENDING', 'DENIED', 'EXPIRED', 'CANCELLED'] as const) {
      const request = await stored({ status });
      await issueGrant({ store, clock }, request.id);
      expect(await store.get(request.id)).toEqual(request);
    }
  });

  it('gives two approved requests different jtis', async () => {
    const a = await stored({ status: 'APPROVED' });
    const b = await stored({ status: 'APPROVED' });
    await issueGrant({ store, clock }, a.id);
    await issueGrant({ store, clock }, b.id);
    expect((await store.get(a.id))?.grant?.jti).not.toBe((await store.get(b.id))?.grant?.jti);
  });

  it('fails with not_found for an unknown request', async () => {
    expectStepUpError(await rejectionOf(issueGrant({ store, clock }, 'no-such-request')), 'not_found', 404);
  });
});
