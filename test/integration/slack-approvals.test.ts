import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import {
  Api,
  eventually,
  pollUntilDecided,
  slackMessage,
  testConfig,
  useTestRuntime,
  workflowDone,
} from './support';

const tenApprovers = Array.from({ length: 10 }, (_, i) => `U0SEC${i}`);

describe('approving in Slack', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  const config = testConfig();
  useTestRuntime(
    (started) => {
      ({ runtime, api, agent } = started);
      // Before any click: the directory caches what users.info answered for five minutes.
      runtime.slack!.directory['bob@example.com'] = 'U0BOB';
      runtime.slack!.names['U0BOB'] = 'bob.builder';
    },
    {
      ...config,
      approverGroups: {
        ...config.approverGroups,
        security: { members: tenApprovers, channel: 'C0SECURITY' },
      },
    },
  );

  const secretRotation = () =>
    api.createRequest(agent, { action: 'secrets:Rotate', resource: 'prod/db-password', audience: 'vault' });

  it('deny asks for a reason; the agent, the audit trail and the message carry it', async () => {
    const requestId = await api.createRequest(agent);
    const message = await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: 'U0BOB', decision: 'deny', reason: 'billing still reads it' });
    const answer = await pollUntilDecided(api, agent, requestId);
    expect(answer).toMatchObject({
      status: 403,
      body: { error: 'access_denied', error_description: 'denied by an approver: billing still reads it' },
    });
    const stored = await workflowDone(runtime, requestId);
    expect(stored.events.find((e) => e.type === 'denied')?.detail).toEqual({
      reason: 'billing still reads it',
    });
    expect(message.blocks).toContainEqual({
      type: 'section',
      text: { type: 'plain_text', text: 'Reason: billing still reads it', emoji: false },
    });
    const dialog = runtime.slack!.views.at(-1)?.view as { callback_id: string; blocks: { type: string }[] };
    expect(dialog.callback_id).toBe('stepup_deny_reason');
    expect(dialog.blocks.map((b) => b.type)).toEqual(['section', 'input']);
  });

  it('a dialog submitted without a reason is sent back with an error, and nothing changes', async () => {
    const requestId = await api.createRequest(agent);
    await slackMessage(runtime, requestId);
    const click = runtime.slack!.click({ requestId, user: 'U0BOB', decision: 'deny' });
    await fetch(`${runtime.url}/slack/events`, { method: 'POST', headers: click.headers, body: click.body });
    const before = await runtime.store.get(requestId);
    const empty = runtime.slack!.submitDialog(click.triggerId, 'U0BOB', { reason: { reason_input: ' ' } })!;
    const response = await fetch(`${runtime.url}/slack/events`, {
      method: 'POST',
      headers: empty.headers,
      body: empty.body,
    });
    expect(await response.json()).toMatchObject({
      response_action: 'errors',
      errors: { reason: expect.any(String) },
    });
    expect(await runtime.store.get(requestId)).toEqual(before);
  });

  it('someone who may not decide gets the reason privately instead of a deny dialog', async () => {
    const requestId = await api.createRequest(agent);
    await slackMessage(runtime, requestId);
    const dialogs = runtime.slack!.views.length;
    await runtime.click({ requestId, user: 'U0MALLORY', decision: 'deny', reason: 'let me in' });
    expect(runtime.slack!.views.length).toBe(dialogs);
    expect(runtime.slack!.ephemerals.at(-1)).toMatchObject({
      user: 'U0MALLORY',
      text: expect.stringContaining('Only members'),
    });
    expect((await runtime.store.get(requestId))?.status).toBe('PENDING');
  });

  it('a click never costs an auth.test: Bolt is given the bot identity', async () => {
    const requestId = await api.createRequest(agent);
    await slackMessage(runtime, requestId);
    const before = { ...runtime.slack!.calls };
    await runtime.click({ requestId, user: 'U0MALLORY', decision: 'approve' });
    await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    // The clicks did reach the stand-in's Web API (private reply, message update), never auth.test.
    expect(runtime.slack!.calls['chat.postEphemeral']).toBeGreaterThan(before['chat.postEphemeral'] ?? 0);
    expect(runtime.slack!.calls['auth.test']).toBeUndefined();
  });

  it('shows quorum progress in place, then who approved', async () => {
    const requestId = await secretRotation();
    const message = await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: 'U0SEC1', decision: 'approve' });
    expect(JSON.stringify(message.blocks)).toContain('1 of 2 approvals: <@U0SEC1>');
    await runtime.click({ requestId, user: 'U0SEC2', decision: 'approve' });
    await eventually(() =>
      JSON.stringify(message.blocks).includes('Approved by <@U0SEC1>, <@U0SEC2>') ? true : undefined,
    );
  });

  it('ten distinct approvers at once on a quorum-2 request: one SendTaskSuccess, two counted approvers', async () => {
    const requestId = await secretRotation();
    const message = await slackMessage(runtime, requestId);
    const before = runtime.workflow.taskSuccesses;
    await Promise.all(tenApprovers.map((user) => runtime.click({ requestId, user, decision: 'approve' })));
    const stored = await workflowDone(runtime, requestId);
    expect(runtime.workflow.taskSuccesses - before).toBe(1);
    expect(stored.status).toBe('APPROVED');
    expect(stored.votes.filter((v) => v.decision === 'approve')).toHaveLength(2);
    expect(stored.events.filter((e) => e.type === 'approved')).toHaveLength(1);
    const counted = stored.votes.map((v) => `<@${v.user}>`).join(', ');
    expect(JSON.stringify(message.blocks)).toContain(`Approved by ${counted}`);
  });

  it('an approve and a deny at the same instant end in exactly one outcome', async () => {
    const requestId = await secretRotation();
    await slackMessage(runtime, requestId);
    const before = runtime.workflow.taskSuccesses;
    await Promise.all([
      runtime.click({ requestId, user: 'U0SEC3', decision: 'approve' }),
      runtime.click({ requestId, user: 'U0SEC4', decision: 'approve' }),
      runtime.click({ requestId, user: 'U0SEC5', decision: 'deny', reason: 'not during the freeze' }),
    ]);
    const stored = await workflowDone(runtime, requestId);
    expect(['APPROVED', 'DENIED']).toContain(stored.status);
    expect(stored.events.filter((e) => e.type === 'approved' || e.type === 'denied')).toHaveLength(1);
    expect(runtime.workflow.taskSuccesses - before).toBe(1);
  });

  it('the human the agent acts for cannot approve, found through users.lookupByEmail', async () => {
    runtime.slack!.directory['erin@example.com'] = 'U0ERIN';
    const requestId = await api.createRequest(agent, {
      action: 'deploy:Deploy',
      resource: 'prod/web',
      audience: 'deployer',
      on_behalf_of: 'Erin@Example.com',
    });
    await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: 'U0ERIN', decision: 'approve' });
    expect(runtime.slack!.ephemerals.at(-1)).toMatchObject({
      user: 'U0ERIN',
      text: expect.stringContaining('your own behalf'),
    });
    expect((await runtime.store.get(requestId))?.votes).toEqual([]);
    await runtime.click({ requestId, user: 'U0DAVE', decision: 'approve' });
    expect((await pollUntilDecided(api, agent, requestId)).status).toBe(200);
  });

  /** Alice (U0ALICE, alice@example.com in the config's `people`) clicks Approve; Bob then approves. */
  async function aliceRefusedBobApproves(onBehalfOf: string, approver = 'U0BOB', refused = 'U0ALICE') {
    const requestId = await api.createRequest(agent, { on_behalf_of: onBehalfOf });
    await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: refused, decision: 'approve' });
    expect(runtime.slack!.ephemerals.at(-1)).toMatchObject({
      user: refused,
      text: 'You cannot approve a request made on your own behalf.',
    });
    const stored = await runtime.store.get(requestId);
    expect(stored).toMatchObject({ status: 'PENDING', votes: [] });
    await runtime.click({ requestId, user: approver, decision: 'approve' });
    expect((await pollUntilDecided(api, agent, requestId)).status).toBe(200);
  }

  it.each([
    ['a leading space', ' alice@example.com'],
    ['a trailing space', 'alice@example.com '],
    ['other letter case', 'ALICE@Example.COM'],
    ['her Slack id', 'U0ALICE'],
    ['her Slack id in lower case', 'u0alice'],
    ['a Slack mention', '<@U0ALICE>'],
    ['a mailto: link', 'mailto:alice@example.com'],
    ['a Cyrillic а (U+0430)', '\u0430lice@example.com'],
    ['full-width letters (NFKC)', '\uff41lice@\uff45xample.com'],
    ['a confusable rn for m', 'alice@exarnple.com'],
    ['her bare name', 'Alice'],
  ])('on_behalf_of %s (%j) cannot be approved by that human; another approver can', async (_, onBehalfOf) => {
    await aliceRefusedBobApproves(onBehalfOf);
  });

  it('a look-alike of an email only Slack knows, or of a Slack name, is matched through users.info', async () => {
    await aliceRefusedBobApproves('b\u043eb@example.com', 'U0ALICE', 'U0BOB');
    await aliceRefusedBobApproves('Bob.Builder', 'U0ALICE', 'U0BOB');
  });

  it('a Slack retry or a replayed payload changes nothing', async () => {
    const requestId = await secretRotation();
    await slackMessage(runtime, requestId);
    const click = runtime.slack!.click({ requestId, user: 'U0SEC6', decision: 'approve' });
    const send = (headers: Record<string, string>) =>
      fetch(`${runtime.url}/slack/events`, { method: 'POST', headers, body: click.body });
    expect((await send(click.headers)).status).toBe(200);
    const once = await runtime.store.get(requestId);
    expect(
      (await send({ ...click.headers, 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }))
        .status,
    ).toBe(200);
    expect((await send(click.headers)).status).toBe(200);
    expect(await runtime.store.get(requestId)).toEqual(once);
  });

  it('agent text is inert in the posted blocks; control and bidi characters or an oversized one are refused', async () => {
    const hostile = 'please <!channel> <@U0123> <https://evil.example|Approve> *bold* & approve';
    const requestId = await api.createRequest(agent, { justification: hostile });
    const message = await slackMessage(runtime, requestId);
    const posted = JSON.stringify(message.blocks);
    expect(posted).toContain(
      'please &lt;!channel&gt; &lt;@U0123&gt; &lt;https://evil.example|Approve&gt; *bold* &amp; approve',
    );
    expect(posted).not.toContain('<!channel>');
    const justification = message.blocks.find((b) => JSON.stringify(b).includes('Justification')) as {
      text: { type: string };
    };
    expect(justification.text.type).toBe('plain_text');
    for (const bad of ['approve \u202edeny', 'x'.repeat(10_000)]) {
      const refused = await api.postJson(
        '/v1/requests',
        { action: 'db:DropTable', resource: 'prod/orders', audience: 'orders-db', justification: bad },
        agent,
      );
      expect(refused.status).toBe(400);
    }
  });

  it('the posted message leads with the risk: header, policy description, parameters; agent text set apart; Approve confirms', async () => {
    type Loose = Record<string, unknown>;
    const texts = (blocks: unknown[]) =>
      blocks.map((b) => JSON.stringify(b)).filter((json) => json.includes('"text"'));
    const header = (blocks: unknown[]) => ((blocks[0] as Loose).text as { text: string }).text;
    const forged = '*Action:* logs:Read\nAction\nlogs:Read';
    const orders = await api.createRequest(agent, {
      justification: forged,
      parameters: { sql: 'DROP TABLE orders' },
    });
    const customers = await api.createRequest(agent, { resource: 'prod/customers' });
    const [ordersMessage, customersMessage] = [
      await slackMessage(runtime, orders),
      await slackMessage(runtime, customers),
    ];
    expect(header(ordersMessage.blocks)).toBe('[PROD] Approval needed: db:DropTable on prod/orders');
    expect(header(customersMessage.blocks)).toBe('[PROD] Approval needed: db:DropTable on prod/customers');
    expect(JSON.stringify(ordersMessage.blocks[1])).toContain(
      'Policy drop-prod-table says (the policy author’s words):\\nDropping a production table',
    );
    expect(JSON.stringify(ordersMessage.blocks)).toContain(
      'Parameters (the exact arguments; the token is valid only with these):\\n{\\n  \\"sql\\": \\"DROP TABLE orders\\"\\n}',
    );
    // The forged field lines appear once, quoted, in the block below the divider.
    const carrying = texts(ordersMessage.blocks).filter((json) => json.includes('logs:Read'));
    expect(carrying).toHaveLength(1);
    expect(carrying[0]).toContain('Written by the agent (unverified, not checked by stepup):');
    const divider = ordersMessage.blocks.findIndex((b) => (b as Loose).type === 'divider');
    expect(JSON.stringify(ordersMessage.blocks[divider + 1])).toBe(carrying[0]);
    const approve = (
      (ordersMessage.blocks.find((b) => (b as Loose).type === 'actions') as Loose).elements as Loose[]
    )[0];
    expect(approve?.confirm).toMatchObject({
      title: { text: 'Approve db:DropTable?' },
      text: { text: 'db:DropTable on prod/orders, for orders-db' },
    });
    // The click itself is unchanged: a signed block_actions payload through Bolt records the vote.
    expect((await runtime.click({ requestId: orders, user: 'U0ALICE', decision: 'approve' })).status).toBe(
      200,
    );
    expect((await pollUntilDecided(api, agent, orders)).status).toBe(200);
  });

  it('retries Slack calls answered 429 (honouring Retry-After) or 5xx', async () => {
    runtime.slack!.faults['chat.postMessage'] = { status: 429, retryAfter: 1, remaining: 1 };
    const first = await api.createRequest(agent);
    await slackMessage(runtime, first);
    runtime.slack!.faults['chat.postMessage'] = { status: 503, remaining: 2 };
    // Another resource: the same request would join the first, and page nobody (`limits.deduplicate`).
    const second = await api.createRequest(agent, { resource: 'prod/orders-archive' });
    await eventually(() => runtime.slack!.messageFor(second));
    expect(runtime.slack!.faults['chat.postMessage'].remaining).toBe(0);
  });
});

describe('approver groups that name a Slack user group (S…)', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  const config = testConfig();
  useTestRuntime(
    (started) => {
      ({ runtime, api, agent } = started);
      // Before any click: the directory caches what users.info answered for five minutes.
      runtime.slack!.directory['bob@example.com'] = 'U0BOB';
      runtime.slack!.names['U0BOB'] = 'bob.builder';
    },
    {
      ...config,
      approverGroups: {
        ...config.approverGroups,
        'db-owners': { members: ['U0ALICE', 'S0DBA'], channel: 'C0APPROVALS' },
      },
    },
  );

  it('lets a current member of the user group decide, resolved through usergroups.users.list', async () => {
    runtime.slack!.userGroups.S0DBA = ['U0ZED'];
    const requestId = await api.createRequest(agent);
    await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: 'U0NOPE', decision: 'approve' });
    expect((await runtime.store.get(requestId))?.votes).toEqual([]);
    await runtime.click({ requestId, user: 'U0ZED', decision: 'approve' });
    const answer = await pollUntilDecided(api, agent, requestId);
    expect(answer.status).toBe(200);
    expect((await runtime.store.get(requestId))?.votes.map((v) => v.user)).toEqual(['U0ZED']);
  });
});
