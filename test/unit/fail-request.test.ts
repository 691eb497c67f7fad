import { describe, expect, it } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import type { ApprovalRequest } from '../../lambdas/domain/requests/approval-request';
import { auditableErrorName, failRequest } from '../../lambdas/domain/requests/fail-request';
import { withGrant } from '../../lambdas/domain/tokens/issue-grant';
import {
  ALICE,
  NOW,
  TEAM,
  expectStepUpError,
  fixedClock,
  pendingRequest,
  storePendingRequest,
  rejectionOf,
  useDynaliteStore,
} from './support/fixtures';

let store: DynamoDbRequestStore;
const clock = fixedClock();
useDynaliteStore((s) => (store = s));

const stored = (overrides: Partial<ApprovalRequest> = {}) => storePendingRequest(store, overrides);

const approved: Partial<ApprovalRequest> = {
  status: 'APPROVED',
  decidedAt: NOW.toISOString(),
  votes: [{ user: ALICE, team: TEAM, decision: 'approve', at: NOW.toISOString() }],
};

describe('failRequest', () => {
  it('fails a request that is still pending (Expire failed)', async () => {
    const request = await stored();
    await failRequest({ store, clock }, request.id, 'Lambda.TooManyRequestsException');
    const after = await store.get(request.id);
    expect(after?.status).toBe('FAILED');
    expect(after?.decidedAt).toBeUndefined();
    expect(after?.events.at(-1)?.detail).toEqual({
      error: 'Lambda.TooManyRequestsException',
      previous_status: 'pending',
    });
  });

  it('leaves a request that already has its outcome exactly as it is', async () => {
    const outcomes: Partial<ApprovalRequest>[] = [
      withGrant(pendingRequest(approved), NOW),
      // Approved by an older deployment, before its IssueGrant step: the reconciler grants it, never a failure.
      approved,
      { status: 'DENIED', decidedAt: NOW.toISOString() },
      { status: 'EXPIRED', decidedAt: NOW.toISOString() },
      { status: 'CANCELLED', decidedAt: NOW.toISOString() },
      { status: 'FAILED' },
    ];
    for (const outcome of outcomes) {
      const { id: _id, ...fields } = outcome;
      const request = await stored(fields);
      const result = await failRequest({ store, clock }, request.id, 'States.TaskFailed');
      expect(result).toEqual({ status: request.status, changed: false });
      expect(await store.get(request.id)).toEqual(request);
    }
  });

  it('fails exactly once when retried concurrently', async () => {
    const request = await stored();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => failRequest({ store, clock }, request.id, 'States.TaskFailed')),
    );
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    expect(results.every((r) => r.status === 'FAILED')).toBe(true);
    const after = await store.get(request.id);
    expect(after?.version).toBe(request.version + 1);
    expect(after?.events.filter((e) => e.type === 'failed')).toHaveLength(1);
  });

  it('records an error name only: anything else becomes "unknown"', async () => {
    expect(auditableErrorName('Lambda.ServiceException')).toBe('Lambda.ServiceException');
    expect(auditableErrorName('VersionConflictError')).toBe('VersionConflictError');
    for (const raw of [
      undefined,
      42,
      '',
      'Error: boom\n    at issueGrant (issue-grant.ts:1:1)',
      'token AAAAKgAAAAIAAAAA secret',
      `A${'x'.repeat(100)}`,
    ]) {
      expect(auditableErrorName(raw)).toBe('unknown');
    }
    const request = await stored();
    await failRequest({ store, clock }, request.id, 'Error: boom\n    at x (y.ts:1:1)');
    expect((await store.get(request.id))?.events.at(-1)?.detail?.error).toBe('unknown');
  });

  it('fails with not_found for an unknown request', async () => {
    expectStepUpError(
      await rejectionOf(failRequest({ store, clock }, 'no-such-request', 'States.TaskFailed')),
      'not_found',
      404,
    );
  });
});
