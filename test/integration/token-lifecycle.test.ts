import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { Api, eventually, pollUntilDecided, slackMessage, useTestRuntime, testConfig } from './support';

const operator = 'sre-oncall';

describe('tokens over their whole life', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  useTestRuntime((started) => ({ runtime, api, agent } = started), {
    ...testConfig(),
    operators: [operator],
  });

  const approve = async (requestId: string) => {
    await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    return pollUntilDecided(api, agent, requestId);
  };

  it('publishes RFC 8414 metadata that points at the live endpoints', async () => {
    const metadata = await api.get('/.well-known/oauth-authorization-server');
    expect(metadata.status).toBe(200);
    expect(metadata.body).toMatchObject({
      issuer: runtime.url,
      token_endpoint: `${runtime.url}/v1/token`,
      introspection_endpoint: `${runtime.url}/v1/introspect`,
      revocation_endpoint: `${runtime.url}/v1/revoke`,
      jwks_uri: `${runtime.url}/.well-known/jwks.json`,
      grant_types_supported: expect.arrayContaining(['urn:openid:params:grant-type:ciba']),
    });
    expect((await api.get(new URL(metadata.body.jwks_uri as string).pathname)).body.keys).toHaveLength(1);
  });

  it('makes a verified human the subject and the agent the actor; an asserted one never', async () => {
    const idToken = (await api.postJson('/dev/id-token', { email: 'carol@example.com' })).body
      .id_token as string;
    const verifiedId = await api.createRequest(agent, {
      on_behalf_of: 'carol@example.com',
      subject_token: idToken,
    });
    const verified = decodeJwt((await approve(verifiedId)).body.access_token as string);
    expect(verified).toMatchObject({
      sub: 'carol@example.com',
      act: { sub: 'deploy-bot' },
      client_id: 'deploy-bot',
    });

    const assertedId = await api.createRequest(agent, { on_behalf_of: 'carol@example.com' });
    const asserted = decodeJwt((await approve(assertedId)).body.access_token as string);
    expect(asserted.sub).toBe('deploy-bot');
    expect(asserted.act).toBeUndefined();
    expect(JSON.stringify(runtime.slack!.messageFor(assertedId)?.history[0])).toContain(
      'asserted by the agent, unverified',
    );
  });

  it('refuses a subject_token that does not verify or names someone else, storing nothing', async () => {
    const idToken = (await api.postJson('/dev/id-token', { email: 'dave@example.com' })).body
      .id_token as string;
    const mismatch = await api.postJson(
      '/v1/requests',
      {
        action: 'db:DropTable',
        resource: 'prod/orders',
        audience: 'orders-db',
        justification: 'x',
        on_behalf_of: 'carol@example.com',
        subject_token: idToken,
      },
      agent,
    );
    expect(mismatch).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', error_description: expect.stringContaining('on_behalf_of') },
    });
    const forged = `${idToken.slice(0, idToken.lastIndexOf('.'))}.${'A'.repeat(86)}`;
    const bad = await api.postJson(
      '/v1/requests',
      {
        action: 'db:DropTable',
        resource: 'prod/orders',
        audience: 'orders-db',
        justification: 'x',
        subject_token: forged,
      },
      agent,
    );
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('lets a policy that needs a verified human allow it, and only then', async () => {
    const idToken = (await api.postJson('/dev/id-token', { email: 'carol@example.com' })).body
      .id_token as string;
    const body = {
      action: 'payments:Transfer',
      resource: 'prod/treasury',
      audience: 'payments-api',
      justification: 'pay invoice 42',
    };
    expect(
      (await api.postJson('/v1/requests', { ...body, on_behalf_of: 'carol@example.com' }, agent)).status,
    ).toBe(403);
    const allowed = await api.postJson('/v1/requests', { ...body, subject_token: idToken }, agent);
    expect(allowed).toMatchObject({ status: 202, body: { status: 'pending' } });
  });

  it('binds the token to the agent DPoP key: cnf.jkt and token_type DPoP', async () => {
    const { publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const requestId = await api.createRequest(agent, { dpop_jwk: jwk });
    const answer = await approve(requestId);
    expect(answer.body.token_type).toBe('DPoP');
    expect(decodeJwt(answer.body.access_token as string).cnf).toEqual({
      jkt: await calculateJwkThumbprint(jwk),
    });
    const privateJwk = { ...jwk, d: 'secret' };
    const refused = await api.postJson(
      '/v1/requests',
      {
        action: 'db:DropTable',
        resource: 'prod/orders',
        audience: 'orders-db',
        justification: 'x',
        dpop_jwk: privateJwk,
      },
      agent,
    );
    expect(refused).toMatchObject({
      status: 400,
      body: { error_description: expect.stringContaining('private') },
    });
  });

  it('answers slow_down to polls faster than the interval, and the interval grows by 5 s', async () => {
    const requestId = await api.createRequest(agent);
    expect((await api.poll(agent, requestId)).body.error).toBe('authorization_pending');
    const fast = await api.poll(agent, requestId);
    expect(fast).toMatchObject({ status: 400, body: { error: 'slow_down', interval: 10 } });
    expect((await api.poll(agent, requestId)).body).toMatchObject({ error: 'slow_down', interval: 15 });
    // A decision is delivered at once, whatever the pace.
    await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    expect((await pollUntilDecided(api, agent, requestId)).status).toBe(200);
  });

  it('100 concurrent introspections of one token: exactly one active:true', async () => {
    const token = (await approve(await api.createRequest(agent))).body.access_token as string;
    const server = await runtime.devToken('orders-db');
    const answers = await Promise.all(Array.from({ length: 100 }, () => api.introspect(server, token)));
    expect(answers.filter((a) => a.body.active === true)).toHaveLength(1);
    expect(answers.filter((a) => JSON.stringify(a.body) === '{"active":false}')).toHaveLength(99);
  });

  it('revokes a token (RFC 7009): introspection then says inactive; strangers cannot revoke', async () => {
    const token = (await approve(await api.createRequest(agent))).body.access_token as string;
    const stranger = await runtime.devToken('someone-else');
    expect(await api.postForm('/v1/revoke', { token }, stranger)).toEqual({ status: 200, body: {} });
    const server = await runtime.devToken('orders-db');
    const stillFine = await api.introspect(server, token);
    expect(stillFine.body.active).toBe(true);

    const other = (await approve(await api.createRequest(agent))).body.access_token as string;
    expect(await api.postForm('/v1/revoke', { token: other }, agent)).toEqual({ status: 200, body: {} });
    expect(await api.introspect(server, other)).toEqual({ status: 200, body: { active: false } });
    expect(await api.postForm('/v1/revoke', { token: 'garbage' }, agent)).toEqual({ status: 200, body: {} });
  });

  it('lets the agent cancel a pending request: the Slack message and the agent both say so', async () => {
    const requestId = await api.createRequest(agent);
    const message = await slackMessage(runtime, requestId);
    const cancelled = await api.postJson(`/v1/requests/${requestId}/cancel`, {}, agent);
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    expect(JSON.stringify(message.blocks)).toContain('Cancelled by the agent');
    expect((await pollUntilDecided(api, agent, requestId)).body.error).toBe('access_denied');
    expect((await api.postJson(`/v1/requests/${requestId}/cancel`, {}, agent)).status).toBe(200);
    const stranger = await runtime.devToken('other-bot');
    expect((await api.postJson(`/v1/requests/${requestId}/cancel`, {}, stranger)).status).toBe(404);
    const approved = await api.createRequest(agent);
    await approve(approved);
    expect(await api.postJson(`/v1/requests/${approved}/cancel`, {}, agent)).toMatchObject({
      status: 409,
      body: { error: 'conflict' },
    });
  });

  it('kill switch: an operator cancels every pending request of an agent and revokes its unused grants', async () => {
    const rogue = await runtime.devToken('rogue-bot');
    const rogueApi = { poll: (id: string) => api.poll(rogue, id) };
    const pending = await api.createRequest(rogue);
    const pendingMessage = await slackMessage(runtime, pending);
    // Another resource: the same request would join the pending one (`limits.deduplicate`).
    const granted = await api.createRequest(rogue, { resource: 'prod/orders-archive' });
    await slackMessage(runtime, granted);
    await runtime.click({ requestId: granted, user: 'U0ALICE', decision: 'approve' });
    await eventually(async () => ((await runtime.store.get(granted))?.grant ? true : undefined));

    expect((await api.postForm('/v1/revoke', { agent: 'rogue-bot' }, agent)).status).toBe(403);
    const sre = await runtime.devToken(operator);
    const result = await api.postForm('/v1/revoke', { agent: 'rogue-bot' }, sre);
    expect(result).toEqual({
      status: 200,
      body: {
        agent: 'rogue-bot',
        cancelled: 1,
        revoked: 1,
        complete: true,
        started_at: expect.any(String),
        completed_at: expect.any(String),
      },
    });

    expect(JSON.stringify(pendingMessage.blocks)).toContain('an operator revoked this agent');
    expect((await rogueApi.poll(pending)).body.error).toBe('access_denied');
    expect((await rogueApi.poll(granted)).body).toMatchObject({
      error: 'access_denied',
      error_description: expect.stringContaining('revoked'),
    });
    const events = (await runtime.store.get(pending))?.events ?? [];
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'cancelled', actor: `operator:${operator}` }),
    );
    // The kill switch updated the message itself and recorded it: the request is closed.
    expect(events.at(-1)).toMatchObject({ type: 'outcome_notified', detail: { status: 'CANCELLED' } });
  });
});

describe('a kill switch larger than its call', () => {
  let runtime: LocalRuntime;
  let api: Api;
  // The runtime's clock, moved past the hand-over age instead of waiting for it.
  let aheadMs = 0;
  const clock = { now: () => new Date(Date.now() + aheadMs) };
  useTestRuntime(
    (started) => ({ runtime, api } = started),
    { ...testConfig(), operators: [operator] },
    // No time for work in the call: the whole run is left to the reconciler.
    { killSwitchBudgetMs: 0, clock },
  );

  it('answers complete: false, and the reconciler finishes the run as the operator', async () => {
    const rogue = await runtime.devToken('rogue-bot-with-a-backlog');
    // Two resources: the same request twice would be one (`limits.deduplicate`).
    const pending = [
      await api.createRequest(rogue),
      await api.createRequest(rogue, { resource: 'prod/orders-archive' }),
    ];
    const sre = await runtime.devToken(operator);
    const pulled = await api.postForm('/v1/revoke', { agent: 'rogue-bot-with-a-backlog' }, sre);
    expect(pulled).toEqual({
      status: 200,
      body: {
        agent: 'rogue-bot-with-a-backlog',
        cancelled: 0,
        revoked: 0,
        complete: false,
        started_at: expect.any(String),
      },
    });
    for (const id of pending) expect((await api.poll(rogue, id)).body.error).toBe('authorization_pending');

    aheadMs += 20_000;
    expect(await runtime.reconcile()).toMatchObject({ killSwitchesCompleted: 1 });
    for (const id of pending) {
      expect((await api.poll(rogue, id)).body.error).toBe('access_denied');
      expect((await runtime.store.get(id))?.events).toContainEqual(
        expect.objectContaining({ type: 'cancelled', actor: `operator:${operator}` }),
      );
    }
    // The run is closed: the next reconciler run has nothing to carry on.
    expect(await runtime.reconcile()).toMatchObject({ killSwitchesCompleted: 0 });
  });
});
