import { describe, expect, it } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import type { ApprovalRequest } from '../../lambdas/domain/approval-request';
import { awaitApproval, type AwaitApprovalDeps } from '../../lambdas/domain/await-approval';
import { parseConfig } from '../../lambdas/domain/config';
import {
  ALICE,
  CHANNEL,
  GROUP,
  ISSUER,
  TEAM,
  NOW,
  RecordingNotifier,
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

function deps(notifier: RecordingNotifier): AwaitApprovalDeps {
  return { store, notifier, config: testConfig(), clock: fixedClock() };
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

  it('neither stores the token nor posts for a request that is no longer pending', async () => {
    for (const status of ['APPROVED', 'DENIED', 'EXPIRED', 'CANCELLED'] as const) {
      const { notifier } = observingNotifier();
      const request = await stored({ status });
      await awaitApproval(deps(notifier), request.id, 'token-1');
      expect(notifier.posted).toEqual([]);
      expect(await store.get(request.id)).toEqual(request);
    }
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
