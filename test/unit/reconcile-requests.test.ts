import { describe, expect, it } from 'vitest';
import type { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import type { ApprovalRequest } from '../../lambdas/domain/requests/approval-request';
import {
  decidedButUnfinished,
  reconcileRequests,
  RECONCILE_AFTER_SECONDS,
  type ReconcileDeps,
} from '../../lambdas/domain/requests/reconcile-requests';
import {
  CHANNEL,
  NOW,
  RecordingNotifier,
  fixedClock,
  pendingRequest,
  storePendingRequest,
  useDynaliteStore,
} from './support/fixtures';

let store: DynamoDbRequestStore;
useDynaliteStore((s) => (store = s));

/** Well after every decision stored below. */
const LATER = new Date(NOW.getTime() + (RECONCILE_AFTER_SECONDS + 1) * 1000);
const SETTLED_BEFORE = new Date(LATER.getTime() - RECONCILE_AFTER_SECONDS * 1000);
const MESSAGE = { channel: CHANNEL, ts: '1700000000.000009' };

function deps(notifier = new RecordingNotifier()): ReconcileDeps & { notifier: RecordingNotifier } {
  return { store, notifier, clock: fixedClock(LATER) };
}

/** A request approved at NOW whose workflow never went on (SendTaskSuccess failed, the execution was lost). */
const strandedApproval = (overrides: Partial<ApprovalRequest> = {}) =>
  storePendingRequest(store, {
    status: 'APPROVED',
    decidedAt: NOW.toISOString(),
    slackMessage: MESSAGE,
    votes: [{ user: 'U0ALICE', team: 'T0TEST', decision: 'approve', at: NOW.toISOString() }],
    ...overrides,
  });

/** Runs the reconciler, keeping only what it did to `ids` (the table is shared by the file's tests). */
async function reconcile(d: ReconcileDeps, ids: string[], settledBefore = SETTLED_BEFORE) {
  const result = await reconcileRequests(d, settledBefore);
  return {
    completed: result.completed.filter((id) => ids.includes(id)),
    failed: result.failed.filter((id) => ids.includes(id)),
  };
}

describe('reconcileRequests', () => {
  it('carries a stranded approval through: grant, Slack updated, outcome recorded; a second run does nothing', async () => {
    const d = deps();
    const request = await strandedApproval();
    expect(await reconcile(d, [request.id])).toEqual({ completed: [request.id], failed: [] });
    const after = await store.get(request.id);
    expect(after?.grant).toBeDefined();
    expect(decidedButUnfinished(after!)).toBe(false);
    expect(d.notifier.updated.filter((r) => r.id === request.id).map((r) => r.status)).toEqual(['APPROVED']);
    expect(after?.events.map((e) => e.type)).toEqual(['requested', 'grant_issued', 'outcome_notified']);

    expect(await reconcile(d, [request.id])).toEqual({ completed: [], failed: [] });
    expect(await store.get(request.id)).toEqual(after);
  });

  it('leaves a young decision to its live workflow, and pending requests to theirs', async () => {
    const d = deps();
    const young = await strandedApproval({
      events: [{ type: 'approved', at: LATER.toISOString(), actor: 'slack:T0TEST/U0ALICE' }],
    });
    const pending = await storePendingRequest(store);
    expect(await reconcile(d, [young.id, pending.id])).toEqual({ completed: [], failed: [] });
    expect(await store.get(young.id)).toEqual(young);
    expect(await store.get(pending.id)).toEqual(pending);
  });

  it('finds a post interrupted before it was recorded, records it and closes its buttons', async () => {
    const d = deps();
    const request = await storePendingRequest(store, { paging: { channel: CHANNEL, at: NOW.toISOString() } });
    // The post landed in Slack; the step crashed before recording it, then the request expired.
    await d.notifier.postApprovalRequest(request, CHANNEL);
    const current = (await store.get(request.id))!;
    await store.save(current, {
      ...current,
      status: 'EXPIRED',
      decidedAt: NOW.toISOString(),
      events: [...current.events, { type: 'expired', at: NOW.toISOString(), actor: 'workflow' }],
      version: current.version + 1,
    });
    expect(await reconcile(d, [request.id])).toEqual({ completed: [request.id], failed: [] });
    const after = await store.get(request.id);
    expect(after?.slackMessage).toEqual({ channel: CHANNEL, ts: d.notifier.posted[0]?.ts });
    expect(after?.paging).toBeUndefined();
    expect(d.notifier.posted).toHaveLength(1);
    expect(d.notifier.updated.map((r) => r.status)).toEqual(['EXPIRED']);
  });

  it('one request it cannot complete (Slack down for it) does not stop the others; it is retried next run', async () => {
    const notifier = new RecordingNotifier();
    const broken = await strandedApproval();
    const fine = await strandedApproval();
    const failing: ReconcileDeps = {
      ...deps(notifier),
      notifier: Object.assign(Object.create(notifier) as RecordingNotifier, {
        updateMessage: async (r: ApprovalRequest) => {
          if (r.id === broken.id) throw new Error('Slack is down');
          return notifier.updateMessage(r);
        },
      }),
    };
    expect(await reconcile(failing, [broken.id, fine.id])).toEqual({
      completed: [fine.id],
      failed: [broken.id],
    });
    // The grant came first: the agent can collect its token while Slack is down.
    expect((await store.get(broken.id))?.grant).toBeDefined();
    // Issuing it was a change: the next run after the grace period finishes the request.
    expect(await reconcile(deps(notifier), [broken.id], new Date(LATER.getTime() + 1))).toEqual({
      completed: [broken.id],
      failed: [],
    });
  });

  it('counts a request as unfinished exactly while the workflow owes it something', () => {
    const base = pendingRequest();
    expect(decidedButUnfinished(base)).toBe(false);
    expect(decidedButUnfinished({ ...base, status: 'APPROVED' })).toBe(true);
    expect(decidedButUnfinished({ ...base, status: 'DENIED' })).toBe(false);
    expect(decidedButUnfinished({ ...base, status: 'DENIED', slackMessage: MESSAGE })).toBe(true);
    expect(
      decidedButUnfinished({
        ...base,
        status: 'EXPIRED',
        paging: { channel: CHANNEL, at: NOW.toISOString() },
      }),
    ).toBe(true);
  });
});
