import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import {
  Api,
  eventually,
  pollUntilDecided,
  slackMessage,
  startTestRuntime,
  testConfig,
  useTestRuntime,
  workflowDone,
} from './support';

describe('a denied request', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;

  useTestRuntime((started) => ({ runtime, api, agent } = started));

  it('ends in access_denied for the agent and a "denied by" message', async () => {
    const requestId = await api.createRequest(agent);
    const message = await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: 'U0BOB', decision: 'deny' });

    const answer = await pollUntilDecided(api, agent, requestId);
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({
      error: 'access_denied',
      error_description: expect.stringContaining('denied'),
    });
    await eventually(() =>
      JSON.stringify(message.blocks).includes('Denied by <@U0BOB>') ? true : undefined,
    );
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);

    const view = await api.get(`/v1/requests/${requestId}`, agent);
    expect(view.body.status).toBe('denied');
  });

  it('cannot be approved after the deny', async () => {
    const requestId = await api.createRequest(agent);
    await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: 'U0BOB', decision: 'deny' });
    const before = await workflowDone(runtime, requestId);
    await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    expect(await runtime.store.get(requestId)).toEqual(before);
    expect(runtime.slack?.ephemerals.at(-1)).toMatchObject({
      user: 'U0ALICE',
      text: expect.stringContaining('already denied'),
    });
    expect((await pollUntilDecided(api, agent, requestId)).body.error).toBe('access_denied');
  });
});

describe('a request nobody decides in time', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;

  beforeAll(async () => {
    const config = testConfig();
    // The test polls once before the window closes: 10 s leaves room for a busy machine (1 s did not).
    runtime = await startTestRuntime({
      ...config,
      defaults: { ...config.defaults, approvalTimeoutSeconds: 10 },
    });
    api = new Api(runtime);
    agent = await runtime.devToken('deploy-bot');
  });
  afterAll(() => runtime.stop());

  it('expires: the agent gets expired_token and the Slack message says so', async () => {
    const requestId = await api.createRequest(agent);
    const message = await slackMessage(runtime, requestId);
    expect((await api.poll(agent, requestId)).body.error).toBe('authorization_pending');

    const answer = await pollUntilDecided(api, agent, requestId);
    expect(answer).toEqual({
      status: 400,
      body: { error: 'expired_token', error_description: expect.any(String) },
    });
    await eventually(() => (JSON.stringify(message.blocks).includes('Expired') ? true : undefined));
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);

    const late = await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    expect(late.status).toBe(200);
    expect((await runtime.store.get(requestId))?.status).toBe('EXPIRED');
    const events = (
      (await api.get(`/v1/requests/${requestId}`, agent)).body.events as { type: string }[]
    ).map((e) => e.type);
    expect(events).toContain('expired');
    expect(events).not.toContain('vote');
  });
});
