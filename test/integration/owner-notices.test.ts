import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import type { StandInMessage } from '../../local/slack-stand-in';
import { DynamoDbOwnerNoticeClaims } from '../../lambdas/adapters/aws/dynamodb-owner-notice-claims';
import { SlackOwnerNotifier } from '../../lambdas/adapters/slack/slack-owner-notifier';
import { slackWebClient } from '../../lambdas/adapters/slack/web-client';
import { tellOwnersOutcome } from '../../lambdas/domain/agents/tell-owners';
import { registeredAgent } from '../helpers/registered-agent';
import {
  Api,
  eventually,
  pollUntilDecided,
  slackMessage,
  startTestRuntime,
  testConfig,
  workflowDone,
} from './support';

const KILL_SWITCH = 'stepup_owner_kill_switch';

/** A config registering `owned-bot` (owned by U0OWNER) and `other-bot` (owned by U0OTHER). */
function ownedConfig(approvalTimeoutSeconds?: number) {
  const config = testConfig();
  return {
    ...config,
    ...(approvalTimeoutSeconds ? { defaults: { ...config.defaults, approvalTimeoutSeconds } } : {}),
    agents: {
      ...config.agents,
      admit: [
        ...config.agents.admit,
        registeredAgent({ sub: 'owned-bot' }, { name: 'owned-bot', owners: ['U0OWNER'] }),
        registeredAgent({ sub: 'other-bot' }, { name: 'other-bot', owners: ['U0OTHER'] }),
      ],
    },
  };
}

/** The DM the bot posted to `owner` whose text says `says`. */
function ownerDm(runtime: LocalRuntime, owner: string, says: string): Promise<StandInMessage> {
  return eventually(
    () => runtime.slack!.messages.find((m) => m.channel === owner && m.text.includes(says)),
    `a DM to ${owner} saying "${says}"`,
  );
}

async function send(runtime: LocalRuntime, signed: { body: string; headers: Record<string, string> }) {
  return fetch(`${runtime.url}/slack/events`, { method: 'POST', headers: signed.headers, body: signed.body });
}

describe('owners are told about their agent in Slack, and may pull its kill switch from there', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let owned: string;
  let other: string;

  beforeAll(async () => {
    runtime = await startTestRuntime(ownedConfig());
    api = new Api(runtime);
    owned = await runtime.devToken('owned-bot');
    other = await runtime.devToken('other-bot');
  });
  afterAll(() => runtime.stop());

  /** Denies a request of owned-bot and returns the DM that told its owner, with the kill switch. */
  async function dmAfterDeny(): Promise<StandInMessage> {
    const requestId = await api.createRequest(owned, { resource: `prod/db/t-${Date.now()}` });
    await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: 'U0BOB', decision: 'deny', reason: 'not now' });
    return eventually(
      () =>
        runtime.slack!.messages.find(
          (m) => m.channel === 'U0OWNER' && JSON.stringify(m.blocks).includes(requestId),
        ),
      `the owner's DM about ${requestId}`,
    );
  }

  it('a human deny is told to the owner in a DM with a kill switch button behind a confirm', async () => {
    const requestId = await api.createRequest(owned);
    await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: 'U0BOB', decision: 'deny', reason: 'not during the freeze' });
    await workflowDone(runtime, requestId);
    const dm = await ownerDm(runtime, 'U0OWNER', 'denied by an approver');
    expect(JSON.stringify(dm.blocks)).toContain('Reason: not during the freeze');
    const button = dm.blocks.flatMap((b) => (b.elements as Record<string, unknown>[] | undefined) ?? [])[0];
    expect(button).toMatchObject({
      action_id: KILL_SWITCH,
      value: 'owned-bot',
      text: { text: 'Pull the kill switch for owned-bot' },
      confirm: { title: { text: 'Pull the kill switch?' } },
    });
    expect(runtime.slack!.messages.some((m) => m.channel === 'U0OTHER')).toBe(false);
  });

  it('a policy deny at creation is told to the owner', async () => {
    const denied = await api.postJson(
      '/v1/requests',
      {
        action: 'payments:Transfer',
        resource: 'prod/treasury',
        audience: 'payments-api',
        justification: 'pay <!channel> the invoice',
        on_behalf_of: 'carol@example.com',
      },
      owned,
    );
    expect(denied.status).toBe(403);
    const dm = await ownerDm(runtime, 'U0OWNER', 'denied by policy');
    expect(JSON.stringify(dm.blocks)).toContain(denied.body.auth_req_id as string);
  });

  it("a non-owner's click changes nothing and is told so privately", async () => {
    const pending = await api.createRequest(owned);
    await slackMessage(runtime, pending);
    const dm = await dmAfterDeny();
    const before = await runtime.store.get(pending);
    const response = await send(runtime, runtime.slack!.clickButton(dm, KILL_SWITCH, 'U0OTHER'));
    expect(response.status).toBe(200);
    await eventually(() =>
      runtime.slack!.ephemerals.find((e) => e.user === 'U0OTHER' && e.text.includes('Only an owner')),
    );
    expect(await runtime.store.get(pending)).toEqual(before);
    expect(runtime.slack!.messages.some((m) => m.text.includes('kill switch was pulled'))).toBe(false);
  });

  it("an owner's kill switch cancels that agent's pending requests and revokes its grants, nobody else's", async () => {
    const pending = await api.createRequest(owned);
    await slackMessage(runtime, pending);
    const approved = await api.createRequest(owned, { action: 'db:DropTable', resource: 'prod/db/ledger' });
    await slackMessage(runtime, approved);
    await runtime.click({ requestId: approved, user: 'U0ALICE', decision: 'approve' });
    await runtime.click({ requestId: approved, user: 'U0BOB', decision: 'approve' });
    expect((await pollUntilDecided(api, owned, approved)).status).toBe(200);
    const bystander = await api.createRequest(other);
    await slackMessage(runtime, bystander);

    const dm = await dmAfterDeny();
    expect((await send(runtime, runtime.slack!.clickButton(dm, KILL_SWITCH, 'U0OWNER'))).status).toBe(200);

    const cancelled = await eventually(async () => {
      const request = await runtime.store.get(pending);
      return request?.status === 'CANCELLED' ? request : undefined;
    });
    expect(cancelled.events.find((e) => e.type === 'cancelled')).toMatchObject({ actor: 'owner:U0OWNER' });
    const revoked = await eventually(async () => {
      const request = await runtime.store.get(approved);
      return request?.revokedAt ? request : undefined;
    });
    expect(revoked.events.find((e) => e.type === 'revoked')).toMatchObject({ actor: 'owner:U0OWNER' });
    expect((await runtime.store.get(bystander))?.status).toBe('PENDING');
    const told = await ownerDm(runtime, 'U0OWNER', 'The kill switch was pulled');
    // Also the pending request the non-owner's click left alone, when that test ran first.
    expect(JSON.stringify(told.blocks)).toMatch(
      /By owner:U0OWNER: [12] pending request\(s\) cancelled, 1 grant\(s\) revoked\./,
    );
  });
});

describe('an expiry is told to the owner', () => {
  let runtime: LocalRuntime;
  let api: Api;

  // 10 s: room for a busy machine before the window closes (as deny-and-expiry.test.ts).
  beforeAll(async () => {
    runtime = await startTestRuntime(ownedConfig(10));
    api = new Api(runtime);
  });
  afterAll(() => runtime.stop());

  it('the owner gets a DM when nobody decided in time', async () => {
    const agent = await runtime.devToken('owned-bot');
    const requestId = await api.createRequest(agent);
    expect((await pollUntilDecided(api, agent, requestId)).body.error).toBe('expired_token');
    const dm = await ownerDm(runtime, 'U0OWNER', 'expired');
    expect(JSON.stringify(dm.blocks)).toContain(requestId);

    // The step that told them, run again three times at once (a Lambda retry, a Step Functions
    // retry, the reconciler re-driving it), each with its own notifier as another function has: the
    // claim in the table lets none of them post.
    const expired = await runtime.store.get(requestId);
    const again = () =>
      tellOwnersOutcome(
        {
          agents: runtime.config.agents,
          notifier: new SlackOwnerNotifier(async () =>
            slackWebClient('xoxb-stepup-local-stand-in', { apiUrl: `${runtime.url}/slack/api/` }),
          ),
          claims: new DynamoDbOwnerNoticeClaims(runtime.dynamo.client, runtime.dynamo.tableName),
        },
        expired!,
      );
    await Promise.all([again(), again(), again()]);
    const told = runtime.slack!.messages.filter(
      (m) => m.channel === 'U0OWNER' && JSON.stringify(m.blocks).includes(requestId),
    );
    expect(told).toHaveLength(1);
  });
});
