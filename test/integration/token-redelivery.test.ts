import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { REDELIVERY_WINDOW_SECONDS } from '../../lambdas/domain/tokens/token-redelivery';
import type { Clock } from '../../lambdas/ports/clock';
import { Api, pollUntilDecided, slackMessage, testConfig, useTestRuntime, workflowDone } from './support';

describe('a lost /v1/token answer can be collected again, briefly, by the same agent only', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  let resourceServer: string;
  // The runtime's clock: the real time plus an offset that tests only ever move forward.
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

  useTestRuntime(
    async (started) => {
      ({ runtime, api, agent } = started);
      resourceServer = await runtime.devToken('orders-db');
    },
    testConfig(),
    { clock },
  );

  /** A request Alice approved, and the agent's first successful poll. */
  async function delivered() {
    const requestId = await api.createRequest(agent);
    await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    const first = await pollUntilDecided(api, agent, requestId);
    expect(first.status).toBe(200);
    return { requestId, token: first.body.access_token as string };
  }

  it('a second poll gets the same grant (same jti and claims), which introspects active once', async () => {
    const { requestId, token } = await delivered();
    const again = await api.poll(agent, requestId);
    expect(again.status).toBe(200);
    const copy = again.body.access_token as string;
    expect(decodeJwt(copy)).toEqual(decodeJwt(token));
    expect(again.body).toMatchObject({ token_type: 'Bearer', authorization_details: expect.any(Array) });

    const checks = [await api.introspect(resourceServer, copy), await api.introspect(resourceServer, token)];
    expect(checks.map((c) => c.body.active)).toEqual([true, false]);
    expect(checks[0]!.body.jti).toBe(decodeJwt(token).jti);

    const stored = await runtime.store.get(requestId);
    expect(stored?.events.filter((e) => e.type === 'token_delivered')).toHaveLength(1);
    expect(stored?.delivery?.redeliveredAt).toHaveLength(1);
  });

  it('another agent polling the same id gets invalid_grant, and the request is unchanged', async () => {
    const { requestId } = await delivered();
    const before = await workflowDone(runtime, requestId);
    const stranger = await runtime.devToken('other-bot');
    expect(await api.poll(stranger, requestId)).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'unknown auth_req_id' },
    });
    expect(await runtime.store.get(requestId)).toEqual(before);
  });

  it(`after ${REDELIVERY_WINDOW_SECONDS} s the poll answers invalid_grant; the delivered token still works once`, async () => {
    const { requestId, token } = await delivered();
    offsetMs += REDELIVERY_WINDOW_SECONDS * 1000;
    const late = await api.poll(agent, requestId);
    expect(late.status).toBe(400);
    expect(late.body).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringContaining('already delivered'),
    });
    expect((await api.introspect(resourceServer, token)).body.active).toBe(true);
  });
});
