import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import { approvers, type ApprovalRequest } from '../../lambdas/domain/requests/approval-request';
import { parseConfig, type StepUpConfig } from '../../lambdas/domain/config/config';
import { recordVote, type RecordVoteDeps, type VoteInput } from '../../lambdas/domain/votes/record-vote';
import type { LocalDynamoDb } from '../../local/local-dynamodb';
import {
  ALICE,
  BOB,
  CAROL,
  CHANNEL,
  GROUP,
  ISSUER,
  MALLORY,
  NOW,
  RecordingNotifier,
  RecordingWorkflow,
  TEAM,
  fixedClock,
  pendingRequest,
  storePendingRequest,
  testConfig,
  useDynaliteStore,
} from './support/fixtures';

const TASK_TOKEN = 'task-token-AAAA.secret';

let db: LocalDynamoDb;
let store: DynamoDbRequestStore;
useDynaliteStore((s, d) => {
  store = s;
  db = d;
});

interface Harness {
  readonly deps: RecordVoteDeps;
  readonly workflow: RecordingWorkflow;
  readonly notifier: RecordingNotifier;
}

function harness(config: StepUpConfig = testConfig()): Harness {
  const workflow = new RecordingWorkflow();
  const notifier = new RecordingNotifier();
  return { deps: { store, workflow, notifier, config, clock: fixedClock() }, workflow, notifier };
}

/** Stores a pending request with a task token (as AwaitApproval would have). */
const storedRequest = (overrides: Partial<ApprovalRequest> = {}) =>
  storePendingRequest(store, { taskToken: TASK_TOKEN, ...overrides });

/** The raw DynamoDB item, every attribute, for before/after comparisons. */
async function rawItem(id: string) {
  const { Item } = await db.client.send(
    new GetItemCommand({
      TableName: db.tableName,
      Key: { pk: { S: `REQUEST#${id}` }, sk: { S: 'REQUEST' } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

function click(request: ApprovalRequest, user: string, overrides: Partial<VoteInput> = {}): VoteInput {
  return { requestId: request.id, user, team: TEAM, decision: 'approve', channel: CHANNEL, ...overrides };
}

describe('recordVote: handing the decision to the workflow', () => {
  it('the deciding write removes the task token; the token read in that write resumes the task', async () => {
    const { deps, workflow } = harness();
    const request = await storedRequest();
    const result = await recordVote(deps, click(request, ALICE));
    expect(result).toMatchObject({ outcome: 'approved', handover: 'resumed' });
    expect(workflow.calls).toEqual([{ taskToken: TASK_TOKEN, outcome: { decision: 'APPROVED' } }]);
    expect((await store.get(request.id))?.taskToken).toBeUndefined();
    expect(JSON.stringify(await rawItem(request.id))).not.toContain(TASK_TOKEN);
  });

  it('retries a failed SendTaskSuccess with backoff until it is taken', async () => {
    const { deps } = harness();
    const workflow = new RecordingWorkflow(2);
    const request = await storedRequest();
    const result = await recordVote({ ...deps, workflow }, click(request, ALICE, { decision: 'deny' }));
    expect(result).toMatchObject({ outcome: 'denied', handover: 'resumed' });
    expect(workflow.calls).toHaveLength(3);
  });

  it('a hand-over that keeps failing never loses the decision: stored, reported deferred, not thrown', async () => {
    const { deps } = harness();
    const workflow = new RecordingWorkflow(Infinity);
    const request = await storedRequest();
    const result = await recordVote({ ...deps, workflow }, click(request, ALICE));
    expect(result).toMatchObject({ outcome: 'approved', handover: 'deferred' });
    expect(workflow.calls).toHaveLength(4);
    expect((await store.get(request.id))?.status).toBe('APPROVED');
  });

  it('a decision while no task waits (between a restart and the resumed wait) resumes nothing', async () => {
    const { deps, workflow } = harness();
    const request = await storedRequest({ taskToken: undefined });
    expect(await recordVote(deps, click(request, ALICE))).toMatchObject({ handover: 'no_task' });
    expect(workflow.calls).toEqual([]);
  });
});

describe('recordVote: decisions', () => {
  it('approves on a member’s click (quorum 1) and resumes the workflow once', async () => {
    const { deps, workflow, notifier } = harness();
    const request = await storedRequest();

    const result = await recordVote(deps, click(request, ALICE));

    expect(result.outcome).toBe('approved');
    const after = await store.get(request.id);
    expect(after?.status).toBe('APPROVED');
    expect(after?.decidedAt).toBe(NOW.toISOString());
    expect(after?.version).toBe(request.version + 1);
    expect(after?.votes).toEqual([{ user: ALICE, team: TEAM, decision: 'approve', at: NOW.toISOString() }]);
    // The same write approves and stores the grant: nothing is left for the workflow but Slack.
    expect(after?.events.map((e) => e.type)).toEqual(['requested', 'vote', 'approved', 'grant_issued']);
    expect(after?.events.at(-2)).toMatchObject({
      actor: `slack:${TEAM}/${ALICE}`,
      detail: { approvers: ALICE },
    });
    expect(after?.grant).toMatchObject({
      ttlSeconds: request.requestedTtlSeconds,
      issuedAt: NOW.toISOString(),
      authorizationDetails: [
        {
          type: 'stepup_action',
          actions: [request.action],
          identifier: request.resource,
          locations: [request.audience],
        },
      ],
    });
    expect(workflow.calls).toEqual([{ taskToken: TASK_TOKEN, outcome: { decision: 'APPROVED' } }]);
    expect(notifier.told).toEqual([]);
  });

  it('denies on a member’s click, keeping the reason', async () => {
    const { deps, workflow } = harness();
    const request = await storedRequest();

    const result = await recordVote(deps, click(request, BOB, { decision: 'deny', reason: 'change freeze' }));

    expect(result.outcome).toBe('denied');
    const after = await store.get(request.id);
    expect(after?.status).toBe('DENIED');
    expect(after?.denialReason).toBe('change freeze');
    expect(after?.events.at(-1)).toMatchObject({ type: 'denied', detail: { reason: 'change freeze' } });
    expect(workflow.calls).toEqual([{ taskToken: TASK_TOKEN, outcome: { decision: 'DENIED' } }]);
  });

  it('a single deny decides a quorum-2 request', async () => {
    const { deps, workflow } = harness();
    const request = await storedRequest({ requirements: { ...pendingRequest().requirements, quorum: 2 } });
    await recordVote(deps, click(request, ALICE));
    expect((await recordVote(deps, click(request, BOB, { decision: 'deny' }))).outcome).toBe('denied');
    expect(workflow.calls).toEqual([{ taskToken: TASK_TOKEN, outcome: { decision: 'DENIED' } }]);
  });

  it('records the first of two needed approvals without resuming the workflow', async () => {
    const { deps, workflow } = harness();
    const request = await storedRequest({ requirements: { ...pendingRequest().requirements, quorum: 2 } });

    expect((await recordVote(deps, click(request, ALICE))).outcome).toBe('recorded');
    expect((await store.get(request.id))?.status).toBe('PENDING');
    expect(workflow.calls).toEqual([]);

    expect((await recordVote(deps, click(request, BOB))).outcome).toBe('approved');
    const after = await store.get(request.id);
    expect(after?.status).toBe('APPROVED');
    expect(approvers(after as ApprovalRequest)).toEqual([ALICE, BOB]);
    expect(workflow.calls).toEqual([{ taskToken: TASK_TOKEN, outcome: { decision: 'APPROVED' } }]);
  });

  it('does not let one approver count twice towards a quorum', async () => {
    const { deps, workflow } = harness();
    const request = await storedRequest({ requirements: { ...pendingRequest().requirements, quorum: 2 } });
    await recordVote(deps, click(request, ALICE));
    const second = await recordVote(deps, click(request, ALICE));
    expect(second).toMatchObject({ outcome: 'refused', code: 'already_voted' });
    expect((await store.get(request.id))?.status).toBe('PENDING');
    expect(workflow.calls).toEqual([]);
  });

  it('lets the requester deny their own request (only approving it is self-approval)', async () => {
    const { deps, workflow } = harness();
    const request = await storedRequest({ onBehalfOf: 'carol@example.com' });
    const result = await recordVote(deps, click(request, CAROL, { decision: 'deny', reason: 'not me' }));
    expect(result.outcome).toBe('denied');
    expect((await store.get(request.id))?.status).toBe('DENIED');
    expect(workflow.calls).toEqual([{ taskToken: TASK_TOKEN, outcome: { decision: 'DENIED' } }]);
  });

  it('with two group sets, approves for a member of both', async () => {
    const { deps } = harness(twoGroupConfig());
    const request = await storedRequest({ requirements: twoSetRequirements() });
    expect((await recordVote(deps, click(request, ALICE))).outcome).toBe('approved');
  });

  it('records the decision but resumes nothing when no task token is stored yet', async () => {
    const { deps, workflow } = harness();
    const request = await storedRequest({ taskToken: undefined });
    expect((await recordVote(deps, click(request, ALICE))).outcome).toBe('approved');
    expect((await store.get(request.id))?.status).toBe('APPROVED');
    expect(workflow.calls).toEqual([]);
  });
});

/** db-owners (Alice, Bob, Carol) and oncall (Alice, Mallory). */
function twoGroupConfig(): StepUpConfig {
  return parseConfig({
    slack: { teamId: TEAM },
    auth: { issuer: ISSUER, audience: ['stepup'] },
    approverGroups: {
      [GROUP]: { members: [ALICE, BOB, CAROL], channel: CHANNEL },
      oncall: { members: [ALICE, MALLORY], channel: 'C0ONCALL' },
    },
    people: { 'carol@example.com': CAROL },
    defaults: { approvers: GROUP },
  });
}

/** Two determining policies: an approver must be in db-owners AND in oncall. */
function twoSetRequirements(): ApprovalRequest['requirements'] {
  return {
    ...pendingRequest().requirements,
    approverGroups: [[GROUP], ['oncall']],
    policies: ['drop-prod-table', 'incident'],
  };
}

describe('recordVote: refusals change nothing', () => {
  async function expectRefusedUnchanged(
    request: ApprovalRequest,
    vote: VoteInput,
    code: string,
    h: Harness = harness(),
  ): Promise<void> {
    const before = await rawItem(request.id);
    const result = await recordVote(h.deps, vote);
    expect(result).toMatchObject({ outcome: 'refused', code });
    expect(await rawItem(request.id)).toEqual(before);
    expect(h.workflow.calls).toEqual([]);
    if (result.outcome !== 'refused') throw new Error('unreachable');
    expect(h.notifier.told).toEqual(
      vote.channel ? [{ channel: CHANNEL, user: vote.user, text: result.message }] : [],
    );
  }

  it('refuses a clicker who is not in the approver group, and tells them privately', async () => {
    const request = await storedRequest();
    await expectRefusedUnchanged(request, click(request, MALLORY), 'not_an_approver');
  });

  it('refuses a vote without a verified passkey on a request that needs one (@assurance), and counts one that has it', async () => {
    const request = await storedRequest({
      requirements: { ...pendingRequest().requirements, assurance: 'passkey' },
    });
    await expectRefusedUnchanged(request, click(request, ALICE), 'passkey_required');
    const proof = { credentialId: 'Y3JlZA', userVerified: true } as const;
    const result = await recordVote(
      harness().deps,
      click(request, ALICE, { channel: undefined, passkey: proof }),
    );
    expect(result.outcome).toBe('approved');
    const stored = await store.get(request.id);
    expect(stored?.votes[0]?.passkey).toEqual(proof);
    expect(stored?.events).toContainEqual(
      expect.objectContaining({
        type: 'vote',
        detail: { decision: 'approve', credential_id: 'Y3JlZA', user_verified: true },
      }),
    );
  });

  it('refuses silently when there is no channel to reply in', async () => {
    const request = await storedRequest();
    await expectRefusedUnchanged(request, click(request, MALLORY, { channel: undefined }), 'not_an_approver');
  });

  it('with two group sets, refuses a member of only one of them, naming both', async () => {
    const request = await storedRequest({ requirements: twoSetRequirements() });
    const h = harness(twoGroupConfig());
    await expectRefusedUnchanged(request, click(request, BOB), 'not_an_approver', h);
    await expectRefusedUnchanged(
      request,
      click(request, MALLORY),
      'not_an_approver',
      harness(twoGroupConfig()),
    );
    expect(h.notifier.told[0]?.text).toContain('db-owners and oncall');
  });

  it('refuses everyone when the requirements name no group (no human approval expected)', async () => {
    const request = await storedRequest({
      requirements: { ...pendingRequest().requirements, approverGroups: [] },
    });
    await expectRefusedUnchanged(request, click(request, ALICE), 'not_an_approver');
  });

  it('refuses cleanly (not a TypeError) when the requirements name a group "constructor"', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const request = await storedRequest({
        requirements: { ...pendingRequest().requirements, approverGroups: [[name]] },
      });
      await expectRefusedUnchanged(request, click(request, ALICE), 'not_an_approver');
    }
  });

  it('refuses a click from another Slack workspace, even by a member id', async () => {
    const request = await storedRequest();
    await expectRefusedUnchanged(request, click(request, ALICE, { team: 'T0OTHER' }), 'wrong_team');
  });

  it('refuses the requester’s own approval (on_behalf_of mapped through config.people)', async () => {
    const request = await storedRequest({ onBehalfOf: 'carol@example.com' });
    await expectRefusedUnchanged(request, click(request, CAROL), 'self_approval');
    const { deps } = harness();
    expect((await recordVote(deps, click(request, ALICE))).outcome).toBe('approved');
  });

  it('matches on_behalf_of to config.people case-insensitively (Carol@Example.com is Carol)', async () => {
    for (const onBehalfOf of ['Carol@Example.com', 'CAROL@EXAMPLE.COM']) {
      const request = await storedRequest({ onBehalfOf });
      await expectRefusedUnchanged(request, click(request, CAROL), 'self_approval');
    }
  });

  it('refuses any click on a request still PENDING at or past its deadline (workflow late)', async () => {
    for (const offset of [0, -1000]) {
      const expiresAt = new Date(NOW.getTime() + offset).toISOString();
      const request = await storedRequest({ expiresAt });
      await expectRefusedUnchanged(request, click(request, ALICE), 'expired');
      await expectRefusedUnchanged(request, click(request, BOB, { decision: 'deny' }), 'expired');
    }
    const justInTime = await storedRequest({ expiresAt: new Date(NOW.getTime() + 1).toISOString() });
    expect((await recordVote(harness().deps, click(justInTime, ALICE))).outcome).toBe('approved');
  });

  it('refuses a click after the decision, by the decider or anyone else', async () => {
    const h = harness();
    const request = await storedRequest();
    await recordVote(h.deps, click(request, ALICE));
    const decided = (await store.get(request.id)) as ApprovalRequest;
    await expectRefusedUnchanged(decided, click(request, ALICE), 'already_decided');
    await expectRefusedUnchanged(decided, click(request, BOB, { decision: 'deny' }), 'already_decided');
    expect(h.workflow.calls).toHaveLength(1);
  });

  it('refuses clicks on expired and cancelled requests', async () => {
    for (const status of ['EXPIRED', 'CANCELLED'] as const) {
      const request = await storedRequest({ status });
      await expectRefusedUnchanged(request, click(request, ALICE), 'already_decided');
    }
  });

  it('refuses a click for a request that does not exist', async () => {
    const h = harness();
    const result = await recordVote(h.deps, {
      requestId: 'no-such-request',
      user: ALICE,
      team: TEAM,
      decision: 'approve',
      channel: CHANNEL,
    });
    expect(result).toMatchObject({ outcome: 'refused', code: 'unknown_request' });
    expect(h.notifier.told).toHaveLength(1);
    expect(h.workflow.calls).toEqual([]);
  });
});

describe('recordVote: races resolve to exactly one outcome', () => {
  it('20 concurrent approve clicks by the one member (quorum 1) resume the workflow exactly once', async () => {
    const { deps, workflow } = harness();
    const request = await storedRequest();

    const results = await Promise.all(
      Array.from({ length: 20 }, () => recordVote(deps, click(request, ALICE))),
    );

    expect(results.filter((r) => r.outcome === 'approved')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'refused')).toHaveLength(19);
    expect(workflow.calls).toEqual([{ taskToken: TASK_TOKEN, outcome: { decision: 'APPROVED' } }]);
    const after = (await store.get(request.id)) as ApprovalRequest;
    expect(after.status).toBe('APPROVED');
    expect(after.votes).toHaveLength(1);
  });

  it('10 distinct members clicking concurrently on a quorum-2 request: one resumption, two approvals counted', async () => {
    const members = Array.from({ length: 10 }, (_, i) => `U0MEMBER${i}`);
    const { deps, workflow } = harness(testConfig(members));
    const request = await storedRequest({ requirements: { ...pendingRequest().requirements, quorum: 2 } });

    const results = await Promise.all(members.map((user) => recordVote(deps, click(request, user))));

    expect(workflow.calls).toEqual([{ taskToken: TASK_TOKEN, outcome: { decision: 'APPROVED' } }]);
    expect(results.filter((r) => r.outcome === 'approved')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'recorded')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'refused')).toHaveLength(8);
    const after = (await store.get(request.id)) as ApprovalRequest;
    expect(after.status).toBe('APPROVED');
    expect(approvers(after)).toHaveLength(2);
    expect(new Set(approvers(after)).size).toBe(2);
    const decider = results.find((r) => r.outcome === 'approved');
    if (decider?.outcome !== 'approved') throw new Error('unreachable');
    expect(approvers(decider.request)).toEqual(approvers(after));
  });

  it('an approve and a deny racing end in one final status and one resumption (repeated)', async () => {
    for (let round = 0; round < 10; round++) {
      const { deps, workflow } = harness();
      const request = await storedRequest();

      const results = await Promise.all([
        recordVote(deps, click(request, ALICE)),
        recordVote(deps, click(request, BOB, { decision: 'deny', reason: 'no' })),
      ]);

      const after = (await store.get(request.id)) as ApprovalRequest;
      expect(['APPROVED', 'DENIED']).toContain(after.status);
      expect(workflow.calls).toEqual([
        { taskToken: TASK_TOKEN, outcome: { decision: after.status as 'APPROVED' | 'DENIED' } },
      ]);
      expect(results.map((r) => r.outcome).sort()).toEqual(
        after.status === 'APPROVED' ? ['approved', 'refused'] : ['denied', 'refused'],
      );
      expect(after.votes).toHaveLength(1);
    }
  });
});
