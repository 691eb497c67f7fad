import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { TOKEN_WAIT_MAX_SECONDS } from '../../lambdas/contract';
import type { LocalRuntime } from '../../local/runtime';
import { Api, eventually, slackMessage, useTestRuntime, type JsonResponse } from './support';

const CIBA = 'urn:openid:params:grant-type:ciba';
/** Long enough that an answer well before it came from the click, not from the wait running out. */
const WAIT_SECONDS = 20;

describe('long-poll on /v1/token (wait)', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  useTestRuntime((started) => ({ runtime, api, agent } = started));

  function longPoll(requestId: string, wait: number | string = WAIT_SECONDS): Promise<JsonResponse> {
    return api.postForm('/v1/token', { grant_type: CIBA, auth_req_id: requestId, wait: String(wait) }, agent);
  }

  /** A pending request with its Slack message posted. */
  async function pending(): Promise<string> {
    const requestId = await api.createRequest(agent);
    await slackMessage(runtime, requestId);
    return requestId;
  }

  /** Resolves once `count` calls wait for the request's decision. */
  function waiting(requestId: string, count = 1): Promise<true> {
    return eventually(
      () => runtime.changes.waiting(requestId) >= count || undefined,
      `${count} waiting polls`,
    );
  }

  it('answers with the token as soon as the click decides, not when the wait runs out', async () => {
    const requestId = await pending();
    const started = performance.now();
    const answer = longPoll(requestId);
    await waiting(requestId);
    const clicked = performance.now();
    expect((await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' })).status).toBe(200);
    const response = await answer;
    const elapsed = performance.now() - started;
    console.log(`[long-poll] click → answer ${(performance.now() - clicked).toFixed(0)} ms`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.access_token).toEqual(expect.any(String));
    expect(elapsed).toBeLessThan(WAIT_SECONDS * 1000);
    expect(runtime.changes.waiting(requestId)).toBe(0);
  });

  it('answers a deny as a poll would: access_denied with the reason', async () => {
    const requestId = await pending();
    const answer = longPoll(requestId);
    await waiting(requestId);
    await runtime.click({ requestId, user: 'U0ALICE', decision: 'deny', reason: 'not during the freeze' });
    expect(await answer).toEqual({
      status: 403,
      body: { error: 'access_denied', error_description: 'denied by an approver: not during the freeze' },
    });
  });

  it('concurrent waits for one request all end on the click, as concurrent polls would: one token, copies of it', async () => {
    const requestId = await pending();
    const answers = [longPoll(requestId), longPoll(requestId), longPoll(requestId)];
    await waiting(requestId, answers.length);
    await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    const responses = await Promise.all(answers);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    // One delivery and two re-deliveries within the window: the same single-use token (same jti).
    const jtis = responses.map((r) => decodeJwt(r.body.access_token as string).jti);
    expect(new Set(jtis).size).toBe(1);
    const stored = await runtime.store.get(requestId);
    expect(stored?.events.filter((e) => e.type === 'token_delivered')).toHaveLength(1);
    expect(stored?.delivery?.redeliveredAt).toHaveLength(2);
  });

  it('a decided request answers at once, without waiting', async () => {
    const requestId = await pending();
    await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    const started = performance.now();
    const response = await longPoll(requestId, TOKEN_WAIT_MAX_SECONDS);
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(TOKEN_WAIT_MAX_SECONDS * 1000);
  });

  it('refuses a wait above the cap, or not a whole number, with 400 invalid_request and changes nothing', async () => {
    const requestId = await pending();
    const before = await runtime.store.get(requestId);
    for (const wait of [TOKEN_WAIT_MAX_SECONDS + 1, 60, -1, '2.5', 'soon']) {
      expect(await longPoll(requestId, wait)).toEqual({
        status: 400,
        body: {
          error: 'invalid_request',
          error_description: `wait must be a whole number of seconds from 0 to ${TOKEN_WAIT_MAX_SECONDS}`,
        },
      });
    }
    const json = await api.postJson(
      '/v1/token',
      { grant_type: CIBA, auth_req_id: requestId, wait: TOKEN_WAIT_MAX_SECONDS + 1 },
      agent,
    );
    expect(json.status).toBe(400);
    expect(json.body.error).toBe('invalid_request');
    expect(await runtime.store.get(requestId)).toEqual(before);
  });

  it('a wait that runs out answers authorization_pending, never slow_down, and leaves the pacing of plain polls alone', async () => {
    const requestId = await pending();
    expect((await api.poll(agent, requestId)).body.error).toBe('authorization_pending');
    // Right after a plain poll: a plain poll now would be slow_down; a waited one is held instead.
    const waited = await longPoll(requestId, 1);
    expect(waited).toEqual({
      status: 400,
      body: { error: 'authorization_pending', error_description: 'the approvers have not decided yet' },
    });
    // It was held at least the interval, so the next plain poll is on time; nothing grew the interval.
    expect(await api.poll(agent, requestId)).toMatchObject({ body: { error: 'authorization_pending' } });
    const early = await api.poll(agent, requestId);
    expect(early.body).toMatchObject({ error: 'slow_down', interval: 10 });
  });
});
