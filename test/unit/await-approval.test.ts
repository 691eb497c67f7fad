import { describe, expect, it } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import type { ApprovalRequest } from '../../lambdas/domain/requests/approval-request';
import { awaitApproval, type AwaitApprovalDeps } from '../../lambdas/domain/requests/await-approval';
import { parseConfig } from '../../lambdas/domain/config/config';
import {
  ALICE,
  CHANNEL,
  GROUP,
  ISSUER,
  TEAM,
  NOW,
  RecordingNotifier,
  RecordingWorkflow,
  expectStepUpError,
  fixedClock,
  pendingRequest,
  storePendingRequest,
  rejectionOf,
  testConfig,
  useDynaliteStore,
} from './support/fixtures';

let store: DynamoDbRequestStore;
useDynaliteStore((s) => (store = s));

/** A notifier that, at the moment it posts, records what the store held for the request. */
function observingNotifier(): { notifier: RecordingNotifier; storedAtPost: (ApprovalRequest | undefined)[] } {
  const storedAtPost: (ApprovalRequest | undefined)[] = [];
  const notifier = new RecordingNotifier(async (request) => {
    storedAtPost.push(await store.get(request.id));
  });
  return { notifier, storedAtPost };
}

function deps(notifier: RecordingNotifier, workflow = new RecordingWorkflow()): AwaitApprovalDeps {
  return { store, notifier, config: testConfig(), clock: fixedClock(), workflow };
}

const stored = (overrides: Partial<ApprovalRequest> = {}) => storePendingRequest(store, overrides);

describe('awaitApproval', () => {
  it('stores the task token before it posts the approval message', async () => {
    const { notifier, storedAtPost } = observingNotifier();
    const request = await stored();

    await awaitApproval(deps(notifier), request.id, 'token-1');

    expect(notifier.posted).toHaveLength(1);
    expect(notifier.posted[0]?.channel).toBe(CHANNEL);
    expect(storedAtPost).toHaveLength(1);
    expect(storedAtPost[0]?.taskToken).toBe('token-1');
  });

  it('remembers where the message was posted and records the notification', async () => {
    const { notifier } = observingNotifier();
    const request = await stored();

    await awaitApproval(deps(notifier), request.id, 'token-1');

    const after = await store.get(request.id);
    expect(after?.taskToken).toBe('token-1');
    expect(after?.slackMessage).toEqual({ channel: CHANNEL, ts: '1700000000.000001' });
    expect(after?.events.at(-1)).toEqual({
      type: 'notified',
      at: NOW.toISOString(),
      actor: 'workflow',
      detail: { group: GROUP, channel: CHANNEL },
      prev: expect.any(String),
    });
  });

  it('a second call with a new token (escalation, retry) replaces the token but posts no second message', async () => {
    const { notifier } = observingNotifier();
    const request = await stored();

    await awaitApproval(deps(notifier), request.id, 'token-1');
    const first = await store.get(request.id);
    await awaitApproval(deps(notifier), request.id, 'token-2');

    expect(notifier.posted).toHaveLength(1);
    const after = await store.get(request.id);
    expect(after?.taskToken).toBe('token-2');
    expect(after?.slackMessage).toEqual(first?.slackMessage);
    expect(after?.events.filter((e) => e.type === 'notified')).toHaveLength(1);
  });

  it('a retry with the same token writes and posts nothing', async () => {
    const { notifier } = observingNotifier();
    const request = await stored();
    await awaitApproval(deps(notifier), request.id, 'token-1');
    const once = await store.get(request.id);

    await awaitApproval(deps(notifier), request.id, 'token-1');

    expect(notifier.posted).toHaveLength(1);
    expect(await store.get(request.id)).toEqual(once);
  });

  it('hands a decision made before the wait began to its own task at once; stores and posts nothing', async () => {
    for (const status of ['APPROVED', 'DENIED', 'EXPIRED', 'CANCELLED'] as const) {
      const { notifier } = observingNotifier();
      const workflow = new RecordingWorkflow();
      const request = await stored({ status });
      await awaitApproval(deps(notifier, workflow), request.id, 'token-1');
      expect(workflow.calls).toEqual([{ taskToken: 'token-1', outcome: { decision: status } }]);
      expect(notifier.posted).toEqual([]);
      expect(await store.get(request.id)).toEqual(request);
    }
  });

  it('fails the step when that hand-over fails, so the workflow retries it', async () => {
    const { notifier } = observingNotifier();
    const request = await stored({ status: 'APPROVED' });
    const error = await rejectionOf(awaitApproval(deps(notifier, new RecordingWorkflow(1)), request.id, 't'));
    expect((error as Error).name).toBe('ThrottlingException');
  });

  it('records the intent and the notified event before posting', async () => {
    const { notifier, storedAtPost } = observingNotifier();
    const request = await stored();
    await awaitApproval(deps(notifier), request.id, 'token-1');
    expect(storedAtPost[0]?.paging).toEqual({ channel: CHANNEL, at: NOW.toISOString() });
    expect(storedAtPost[0]?.events.at(-1)?.type).toBe('notified');
    const after = await store.get(request.id);
    expect(after?.paging).toBeUndefined();
  });

  it('a retry after a post whose answer was lost adopts that post instead of paging twice', async () => {
    const { notifier } = observingNotifier();
    notifier.lostAnswers = 1;
    const request = await stored();
    expect(await rejectionOf(awaitApproval(deps(notifier), request.id, 'token-1'))).toBeInstanceOf(Error);
    expect((await store.get(request.id))?.slackMessage).toBeUndefined();

    await awaitApproval(deps(notifier), request.id, 'token-2');

    expect(notifier.posted).toHaveLength(1);
    const after = await store.get(request.id);
    expect(after?.slackMessage).toEqual({ channel: CHANNEL, ts: notifier.posted[0]?.ts });
    expect(after?.paging).toBeUndefined();
    expect(after?.taskToken).toBe('token-2');
    expect(after?.events.filter((e) => e.type === 'notified')).toHaveLength(1);
  });

  it('a post that lands after the request was cancelled is updated at once, and the trail stays in causal order', async () => {
    const request = await stored();
    const notifier = new RecordingNotifier(async () => {
      // Slack is slow to answer; meanwhile the agent cancels.
      const current = (await store.get(request.id))!;
      const at = new Date(NOW.getTime() + 1000).toISOString();
      await store.save(current, {
        ...current,
        status: 'CANCELLED',
        decidedAt: at,
        events: [...current.events, { type: 'cancelled', at, actor: 'agent:deploy-bot' }],
        version: current.version + 1,
      });
    });
    await awaitApproval(deps(notifier), request.id, 't');

    expect(notifier.posted).toHaveLength(1);
    expect(notifier.updated.map((r) => r.status)).toEqual(['CANCELLED']);
    const after = await store.get(request.id);
    expect(after?.slackMessage?.ts).toBe(notifier.posted[0]?.ts);
    expect(after?.events.map((e) => e.type)).toEqual([
      'requested',
      'notified',
      'cancelled',
      'outcome_notified',
    ]);
  });

  it('a request that closed while an earlier post never landed forgets the intent and posts nothing', async () => {
    const { notifier } = observingNotifier();
    const request = await stored({
      status: 'EXPIRED',
      paging: { channel: CHANNEL, at: NOW.toISOString() },
    });
    const workflow = new RecordingWorkflow();
    await awaitApproval(deps(notifier, workflow), request.id, 'token-1');
    // The step hands over the decision; finding the lost post is the reconciler's job.
    expect(workflow.calls).toHaveLength(1);
    expect(notifier.posted).toEqual([]);
  });

  it('fails when the request names an approver group the config does not have, before posting', async () => {
    const { notifier } = observingNotifier();
    const request = await stored({
      requirements: { ...pendingRequest().requirements, approverGroups: [['gone']] },
    });
    const error = await rejectionOf(awaitApproval(deps(notifier), request.id, 'token-1'));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('gone');
    expect(notifier.posted).toEqual([]);
  });

  it('treats a group named like an Object.prototype member as unknown (an Error, not a TypeError)', async () => {
    for (const name of ['constructor', 'toString', '__proto__']) {
      const { notifier } = observingNotifier();
      const request = await stored({
        requirements: { ...pendingRequest().requirements, approverGroups: [[name]] },
      });
      const error = await rejectionOf(awaitApproval(deps(notifier), request.id, 'token-1'));
      expect(error).not.toBeInstanceOf(TypeError);
      expect((error as Error).message).toContain(`"${name}"`);
      expect(notifier.posted).toEqual([]);
    }
  });

  it('pages the channel of the first group of the first group set, and audits which group', async () => {
    const config = parseConfig({
      slack: { teamId: TEAM },
      auth: { issuer: ISSUER, audience: ['stepup'] },
      approverGroups: {
        [GROUP]: { members: [ALICE], channel: CHANNEL },
        oncall: { members: [ALICE], channel: 'C0ONCALL' },
      },
      defaults: { approvers: GROUP },
    });
    const { notifier } = observingNotifier();
    const request = await stored({
      requirements: { ...pendingRequest().requirements, approverGroups: [['oncall', GROUP], [GROUP]] },
    });
    await awaitApproval({ ...deps(notifier), config }, request.id, 'token-1');
    expect(notifier.posted.map((p) => p.channel)).toEqual(['C0ONCALL']);
    expect((await store.get(request.id))?.events.at(-1)).toMatchObject({
      type: 'notified',
      detail: { group: 'oncall', channel: 'C0ONCALL' },
    });
  });

  it('fails with not_found for an unknown request', async () => {
    const { notifier } = observingNotifier();
    expectStepUpError(
      await rejectionOf(awaitApproval(deps(notifier), 'no-such-request', 'token-1')),
      'not_found',
      404,
    );
    expect(notifier.posted).toEqual([]);
  });
});
