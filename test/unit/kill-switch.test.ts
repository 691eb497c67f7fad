import { describe, expect, it } from 'vitest';
import type { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import type { ApprovalRequest } from '../../lambdas/domain/approval-request';
import { revokeAgent, type RevokeDeps } from '../../lambdas/domain/revoke';
import type { Clock } from '../../lambdas/ports/clock';
import type { LocalDynamoDb } from '../../local/local-dynamodb';
import { recordCommands } from './support/command-counter';
import {
  ALICE,
  NOW,
  RecordingNotifier,
  TEAM,
  expectStepUpError,
  fixedClock,
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

const OPERATOR = 'ops-oncall';
const at = NOW.toISOString();

function approved(agent: string, overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return pendingRequest({
    agent,
    status: 'APPROVED',
    decidedAt: at,
    votes: [{ user: ALICE, team: TEAM, decision: 'approve', at }],
    grant: {
      jti: `jti-${Math.random()}`,
      ttlSeconds: 300,
      issuedAt: at,
      pickupBy: at,
      authorizationDetails: [],
    },
    events: [
      { type: 'requested', at, actor: `agent:${agent}` },
      { type: 'outcome_notified', at, actor: 'workflow' },
    ],
    ...overrides,
  });
}

function deps(clock: Clock = fixedClock()) {
  const stopped: string[] = [];
  const notifier = new RecordingNotifier();
  const revokeDeps: RevokeDeps = {
    store,
    verifier: { verify: async () => undefined },
    workflow: { stop: async (id) => void stopped.push(id) },
    notifier,
    clock,
    operators: [OPERATOR],
  };
  return { deps: revokeDeps, stopped, notifier };
}

describe('the kill switch reads what is open, not the history', () => {
  it('cancels the pending, revokes the unused (issued or not yet), and reads nothing it need not', async () => {
    const agent = 'rogue-with-history';
    const finished = [
      ...Array.from({ length: 150 }, () => approved(agent, { consumedAt: at })),
      ...Array.from({ length: 100 }, () => pendingRequest({ agent, status: 'DENIED', decidedAt: at })),
      ...Array.from({ length: 50 }, () => approved(agent, { revokedAt: at })),
    ];
    const pending = Array.from({ length: 5 }, (_, i) =>
      pendingRequest({ agent, slackMessage: i === 0 ? { channel: 'C1', ts: '1.1' } : undefined }),
    );
    const unused = [
      approved(agent),
      approved(agent),
      approved(agent, { delivery: { jti: 'd', at, exp: 1 } }),
    ];
    const awaitingGrant = approved(agent, { grant: undefined });
    for (const r of [...finished, ...pending, ...unused, awaitingGrant]) await store.create(r);

    const { deps: d, stopped, notifier } = deps();
    const sent = recordCommands(db.client);
    expect(await revokeAgent(d, OPERATOR, agent)).toEqual({ cancelled: 5, revoked: 4, complete: true });
    // One page of the open index, then one read and one conditional write per open request (and
    // for the one with a Slack message, the record that the message shows the outcome).
    expect(sent.counts()).toEqual({ QueryCommand: 1, GetItemCommand: 10, UpdateItemCommand: 10 });

    expect(stopped.sort()).toEqual(pending.map((r) => r.id).sort());
    expect(notifier.updated.map((r) => r.id)).toEqual([pending[0]!.id]);
    for (const r of pending) {
      const after = await store.get(r.id);
      expect(after?.status).toBe('CANCELLED');
      expect(after?.events).toContainEqual(
        expect.objectContaining({ type: 'cancelled', actor: `operator:${OPERATOR}` }),
      );
    }
    for (const r of [...unused, awaitingGrant]) {
      const after = await store.get(r.id);
      expect(after?.revokedAt).toBe(at);
      expect(after?.events.at(-1)).toMatchObject({ type: 'revoked', actor: `operator:${OPERATOR}` });
    }
    for (const r of finished) expect((await store.get(r.id))?.version).toBe(r.version);

    // Everything it changed left the open index; the approval still waiting for its grant stays
    // there (its workflow is unfinished) and is read, not written, again.
    sent.clear();
    expect(await revokeAgent(d, OPERATOR, agent)).toEqual({ cancelled: 0, revoked: 0, complete: true });
    expect(sent.counts()).toEqual({ QueryCommand: 1, GetItemCommand: 1 });
  });

  it('stops taking pages at the deadline, says it is not complete, and the next call finishes the job', async () => {
    const agent = 'rogue-with-many-pending';
    const pending = Array.from({ length: 150 }, () => pendingRequest({ agent }));
    for (const r of pending) await store.create(r);
    // The deadline passes while the first page is worked on (the clock moves with the listing).
    let now = NOW.getTime();
    const clock = { now: () => new Date(now) };
    const { deps: d } = deps(clock);
    const listed = d.store.listOpenByAgent.bind(d.store);
    const moving = {
      ...d,
      store: Object.assign(Object.create(store) as DynamoDbRequestStore, {
        listOpenByAgent: async (a: string, cursor?: string) => {
          const page = await listed(a, cursor);
          now += 10_000;
          return page;
        },
      }),
    };
    const first = await revokeAgent(moving, OPERATOR, agent, new Date(NOW.getTime() + 5_000));
    expect(first).toEqual({ cancelled: 100, revoked: 0, complete: false });
    const second = await revokeAgent(d, OPERATOR, agent, new Date(now + 5_000));
    expect(second).toEqual({ cancelled: 50, revoked: 0, complete: true });
    for (const r of pending) expect((await store.get(r.id))?.status).toBe('CANCELLED');
  });

  it('refuses anyone who is not an operator, changing nothing', async () => {
    const request = pendingRequest({ agent: 'target' });
    await store.create(request);
    expectStepUpError(await rejectionOf(revokeAgent(deps().deps, 'target', 'target')), 'forbidden', 403);
    expect(await store.get(request.id)).toEqual(request);
  });
});
