import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { newSlackCredentials, SlackWebApi, type SlackCall } from '../deployed/slack-api';
import { Api, eventually, testConfig, workflowDone } from './support';

// The approval post against a Slack that answers late, 429 or 500: at most one message per request,
// and never a live Approve/Deny on a closed request. Slack is a stand-in reached over HTTP, so its
// answers can be held back; clicks are signed payloads to /slack/events.

const credentials = newSlackCredentials();
let slack: SlackWebApi;
let runtime: LocalRuntime;
let api: Api;
let agent: string;

beforeAll(async () => {
  slack = await SlackWebApi.start(credentials, testConfig().slack.teamId);
  runtime = await startLocalRuntime({
    memory: true,
    port: 0,
    config: testConfig(),
    env: {
      SLACK_API_URL: slack.url,
      SLACK_BOT_TOKEN: credentials.botToken,
      SLACK_SIGNING_SECRET: credentials.signingSecret,
    },
  });
  api = new Api(runtime);
  agent = await runtime.devToken('deploy-bot');
});
afterAll(async () => {
  await runtime?.stop();
  await slack?.stop();
});

const postOf = (requestId: string) => (call: SlackCall) =>
  call.method === 'chat.postMessage' && JSON.stringify(call.fields).includes(requestId);

/** Alice approves, as Slack sends it; resolves with the delivered token response. */
async function approveAndCollect(requestId: string) {
  await slack.approvalMessage(requestId);
  const signed = slack.slack.click({ requestId, user: 'U0ALICE', decision: 'approve' });
  const clicked = await fetch(`${runtime.url}/slack/events`, {
    method: 'POST',
    headers: signed.headers,
    body: signed.body,
  });
  expect(clicked.status).toBe(200);
  await slack.waitFor(
    (call) =>
      call.method === 'chat.update' &&
      call.fields.ts === slack.slack.messageFor(requestId)?.ts &&
      JSON.stringify(call.fields).includes('Approved by'),
  );
  return api.poll(agent, requestId);
}

describe('Slack slow or failing while the approvers are paged', () => {
  it('answers late, after the request was cancelled: the message is closed at once, the trail stays causal', async () => {
    const held = slack.hold((call) => call.method === 'chat.postMessage');
    const requestId = await api.createRequest(agent);
    expect(postOf(requestId)(await held.taken)).toBe(true);
    const cancelled = await api.postJson(`/v1/requests/${requestId}/cancel`, {}, agent);
    expect(cancelled.body.status).toBe('cancelled');

    held.release();
    const closed = await slack.waitFor(
      (call) =>
        call.method === 'chat.update' &&
        call.fields.ts === slack.slack.messageFor(requestId)?.ts &&
        JSON.stringify(call.fields).includes('Cancelled'),
    );
    expect(JSON.stringify(closed.fields)).not.toContain('stepup_approve');
    await workflowDone(runtime, requestId);
    const view = await api.get(`/v1/requests/${requestId}`, agent);
    const types = (view.body.events as { type: string }[]).map((e) => e.type);
    expect(types.indexOf('notified')).toBeLessThan(types.indexOf('cancelled'));
    expect(types.indexOf('cancelled')).toBeLessThan(types.indexOf('outcome_notified'));
    expect(slack.calls.filter(postOf(requestId))).toHaveLength(1);
  });

  for (const status of [500, 429]) {
    it(`answers chat.postMessage ${status} once: the step's retry looks for a post first, then pages once`, async () => {
      slack.slack.faults['chat.postMessage'] = { status, retryAfter: 0, remaining: 1 };
      const requestId = await api.createRequest(agent);
      const token = await approveAndCollect(requestId);
      expect(token.status).toBe(200);
      expect(slack.calls.filter((call) => call.method === 'conversations.history').length).toBeGreaterThan(0);
      expect(slack.slack.messages.filter((m) => JSON.stringify(m.history).includes(requestId))).toHaveLength(
        1,
      );
    });
  }

  it('an approver clicks the message while its post is still unanswered: one message, updated with the outcome', async () => {
    const held = slack.hold((call) => call.method === 'chat.postMessage');
    const requestId = await api.createRequest(agent);
    await held.taken;
    // The message is in Slack, so Alice can click it, though stepup has not heard back yet.
    const token = await approveAndCollect(requestId);
    held.release();
    expect(token.status).toBe(200);
    expect(slack.calls.filter(postOf(requestId))).toHaveLength(1);
    const request = await eventually(
      async () => (await runtime.store.get(requestId))?.slackMessage,
      'the recorded post',
    );
    expect(request.ts).toBe(slack.slack.messageFor(requestId)?.ts);
  });
});

describe('a bot that may not read the approver channel', () => {
  it('pages again after a failed post rather than leaving the request unpaged (history answers not_in_channel)', async () => {
    slack.slack.faults['chat.postMessage'] = { status: 500, remaining: 1 };
    const original = slack.slack.handleApiCall.bind(slack.slack);
    slack.slack.handleApiCall = (method, authorization, fields) =>
      method === 'conversations.history'
        ? { status: 200, body: { ok: false, error: 'not_in_channel' } }
        : original(method, authorization, fields);
    try {
      const requestId = await api.createRequest(agent);
      expect((await approveAndCollect(requestId)).status).toBe(200);
    } finally {
      slack.slack.handleApiCall = original;
    }
  });
});
