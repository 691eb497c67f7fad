import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { MAX_REDELIVERIES } from '../../lambdas/domain/tokens/token-redelivery';
import type { LocalRuntime } from '../../local/runtime';
import { Api, eventually, pollUntilDecided, slackMessage, useTestRuntime } from './support';

describe('races resolve to exactly one outcome', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  let resourceServer: string;

  useTestRuntime(async (started) => {
    ({ runtime, api, agent } = started);
    resourceServer = await runtime.devToken('orders-db');
  });

  const approvedRequest = async () => {
    const requestId = await api.createRequest(agent);
    await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    await eventually(async () => ((await runtime.store.get(requestId))?.grant ? true : undefined));
    return requestId;
  };

  it('50 concurrent introspections of one token: exactly one active:true', async () => {
    const requestId = await approvedRequest();
    const token = (await pollUntilDecided(api, agent, requestId)).body.access_token as string;
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => api.introspect(resourceServer, token)),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.body.active === true)).toHaveLength(1);
    expect(answers.filter((a) => JSON.stringify(a.body) === '{"active":false}')).toHaveLength(49);
  });

  it('20 concurrent polls after approval: one grant delivered, at most 3 more copies of it, usable once', async () => {
    const requestId = await approvedRequest();
    const answers = await Promise.all(Array.from({ length: 20 }, () => api.poll(agent, requestId)));
    const tokens = answers.filter((a) => a.status === 200).map((a) => a.body.access_token as string);
    expect(tokens).toHaveLength(1 + MAX_REDELIVERIES);
    expect(new Set(tokens.map((token) => decodeJwt(token).jti)).size).toBe(1);
    expect(answers.filter((a) => a.body.error === 'invalid_grant')).toHaveLength(19 - MAX_REDELIVERIES);
    const stored = await runtime.store.get(requestId);
    expect(stored?.events.filter((e) => e.type === 'token_delivered')).toHaveLength(1);
    const checks = await Promise.all(tokens.map((token) => api.introspect(resourceServer, token)));
    expect(checks.filter((c) => c.body.active === true)).toHaveLength(1);
  });

  it('a double click and a simultaneous approve and deny each end in one decision', async () => {
    const requestId = await api.createRequest(agent);
    await slackMessage(runtime, requestId);
    await Promise.all([
      runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' }),
      runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' }),
      runtime.click({ requestId, user: 'U0BOB', decision: 'deny' }),
    ]);
    const request = await runtime.store.get(requestId);
    expect(['APPROVED', 'DENIED']).toContain(request?.status);
    expect(request?.events.filter((e) => e.type === 'approved' || e.type === 'denied')).toHaveLength(1);
    expect(request?.votes.filter((v) => v.user === 'U0ALICE').length).toBeLessThanOrEqual(1);
    const answer = await pollUntilDecided(api, agent, requestId);
    expect(answer.status).toBe(request?.status === 'APPROVED' ? 200 : 403);
  });
});
