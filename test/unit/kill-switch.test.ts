import { describe, expect, it } from 'vitest';
import { DynamoDbKillSwitchLedger } from '../../lambdas/adapters/aws/dynamodb-kill-switch-ledger';
import type { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import type { ApprovalRequest } from '../../lambdas/domain/requests/approval-request';
import {
  continueKillSwitches,
  KILL_SWITCH_HANDOVER_SECONDS,
} from '../../lambdas/domain/agents/continue-kill-switches';
import { revokeAgent, type RevokeDeps } from '../../lambdas/domain/tokens/revoke';
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
    killSwitches: new DynamoDbKillSwitchLedger(db.client, db.tableName),
    verifier: { verify: async () => undefined },
    workflow: { stop: async (id) => void stopped.push(id) },
    notifier,
    clock,
    operators: [OPERATOR],
  };
  return { deps: revokeDeps, stopped, notifier };
}

/** What a reconciler run at `now` carries on: runs past the hand-over age, for 30 s. */
const window = (now: number) => ({
  startedBefore: new Date(now - KILL_SWITCH_HANDOVER_SECONDS * 1000),
  deadline: new Date(now + 30_000),
});

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
    expect(await revokeAgent(d, OPERATOR, agent)).toEqual({
      cancelled: 5,
      revoked: 4,
      complete: true,
      startedAt: at,
      completedAt: at,
    });
    // The run recorded, one page of the open index, then one read and one conditional write per
    // open request (and for the one with a Slack message, the record that the message shows the
    // outcome), and the run closed.
    expect(sent.counts()).toEqual({ QueryCommand: 1, GetItemCommand: 10, UpdateItemCommand: 12 });

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
    expect(await revokeAgent(d, OPERATOR, agent)).toMatchObject({ cancelled: 0, revoked: 0, complete: true });
    expect(sent.counts()).toEqual({ QueryCommand: 1, GetItemCommand: 1, UpdateItemCommand: 2 });
  });

  it('stops at the deadline, between pages and within one, and the reconciler carries the run on with the whole run counted', async () => {
    const agent = 'rogue-with-many-pending';
    const pending = Array.from({ length: 150 }, () => pendingRequest({ agent }));
    for (const r of pending) await store.create(r);
    // The clock moves with each listing: the first page is worked on before the deadline, the
    // deadline passes while the second is listed, so none of that page is touched.
    let now = NOW.getTime();
    const clock = { now: () => new Date(now) };
    const { deps: d } = deps(clock);
    const listed = d.store.listOpenByAgent.bind(d.store);
    const moving = {
      ...d,
      store: Object.assign(Object.create(store) as DynamoDbRequestStore, {
        listOpenByAgent: async (a: string, cursor?: string) => {
          const page = await listed(a, cursor);
          now += 4_000;
          return page;
        },
      }),
    };
    const first = await revokeAgent(moving, OPERATOR, agent, new Date(NOW.getTime() + 6_000));
    expect(first).toEqual({ cancelled: 100, revoked: 0, complete: false, startedAt: at });

    // A run younger than the hand-over age is still its call's: the reconciler leaves it alone.
    expect(await continueKillSwitches(d, window(now))).toEqual([]);
    now += KILL_SWITCH_HANDOVER_SECONDS * 1000;
    const [continued, ...others] = await continueKillSwitches(d, window(now));
    expect(others).toEqual([]);
    expect(continued).toEqual({
      agent,
      cancelled: 150,
      revoked: 0,
      complete: true,
      startedAt: at,
      completedAt: new Date(now).toISOString(),
    });
    for (const r of pending) {
      const after = await store.get(r.id);
      expect(after?.status).toBe('CANCELLED');
      expect(after?.events.at(-1)).toMatchObject({ type: 'cancelled', actor: `operator:${OPERATOR}` });
    }
    // A finished run leaves the index of runs: the next reconciler run reads one empty page.
    const sent = recordCommands(db.client);
    expect(await continueKillSwitches(d, window(now))).toEqual([]);
    expect(sent.counts()).toEqual({ QueryCommand: 1 });
  });

  it('finishes a run whose call died after recording it; a pull meanwhile joins the run', async () => {
    const agent = 'rogue-whose-kill-switch-call-crashed';
    const pending = Array.from({ length: 3 }, () => pendingRequest({ agent }));
    for (const r of pending) await store.create(r);
    const ledger = new DynamoDbKillSwitchLedger(db.client, db.tableName);
    // What a revoke call that timed out right after recording the pull leaves behind.
    await ledger.begin(agent, OPERATOR, at);

    let now = NOW.getTime() + 1_000;
    const clock = { now: () => new Date(now) };
    const { deps: d } = deps(clock);
    // A second pull with no time to work joins the run (same start, nothing restarted).
    expect(await revokeAgent(d, OPERATOR, agent, new Date(now))).toEqual({
      cancelled: 0,
      revoked: 0,
      complete: false,
      startedAt: at,
    });
    now += KILL_SWITCH_HANDOVER_SECONDS * 1000;
    expect(await continueKillSwitches(d, window(now))).toMatchObject([
      { agent, cancelled: 3, complete: true, startedAt: at },
    ]);
    for (const r of pending) expect((await store.get(r.id))?.status).toBe('CANCELLED');
    expect(await ledger.get(agent)).toMatchObject({ operator: OPERATOR, cancelled: 3, revoked: 0 });
  });

  it('refuses anyone who is not an operator, changing nothing', async () => {
    const request = pendingRequest({ agent: 'target' });
    await store.create(request);
    expectStepUpError(await rejectionOf(revokeAgent(deps().deps, 'target', 'target')), 'forbidden', 403);
    expect(await store.get(request.id)).toEqual(request);
  });
});
