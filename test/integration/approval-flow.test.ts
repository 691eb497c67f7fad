import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { Api, pollUntilDecided, slackMessage, useTestRuntime } from './support';

describe('an approved request over HTTP yields a single-use token', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  let resourceServer: string;

  useTestRuntime(async (started) => {
    ({ runtime, api, agent } = started);
    resourceServer = await runtime.devToken('orders-db');
  });

  it('walks request → Slack → signed click → token → introspection once', async () => {
    const created = await api.postJson(
      '/v1/requests',
      {
        action: 'db:DropTable',
        resource: 'prod/orders',
        audience: 'orders-db',
        justification: 'drop the legacy orders table',
        on_behalf_of: 'carol@example.com',
      },
      agent,
    );
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ status: 'pending', interval: 5, expires_in: 900 });
    const requestId = created.body.auth_req_id as string;
    expect(requestId).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(Buffer.from(requestId, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(created.body.binding_code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);

    const message = await slackMessage(runtime, requestId);
    expect(message.channel).toBe('C0APPROVALS');
    const stored = await runtime.store.get(requestId);
    expect(stored?.taskToken).toBeTruthy();
    const actions = message.blocks.find((b) => b.type === 'actions') as {
      elements: Record<string, unknown>[];
    };
    expect(actions.elements.map((e) => [e.action_id, e.value])).toEqual([
      ['stepup_approve', requestId],
      ['stepup_deny', requestId],
    ]);
    expect(JSON.stringify(message.history)).not.toContain(stored!.taskToken!);
    expect(JSON.stringify(message.blocks)).toContain(created.body.binding_code as string);

    const pending = await api.poll(agent, requestId);
    expect(pending).toEqual({
      status: 400,
      body: { error: 'authorization_pending', error_description: expect.any(String) },
    });

    const click = await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    expect(click.status).toBe(200);

    const delivered = await pollUntilDecided(api, agent, requestId);
    expect(delivered.status).toBe(200);
    expect(delivered.body).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    const token = delivered.body.access_token as string;

    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(header.kid).toEqual(expect.any(String));
    const jwks = createRemoteJWKSet(new URL(`${runtime.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(token, jwks, {
      algorithms: ['ES256'],
      typ: 'at+jwt',
      issuer: runtime.url,
      audience: 'orders-db',
    });
    expect(payload).toMatchObject({
      iss: runtime.url,
      aud: 'orders-db',
      sub: 'deploy-bot',
      client_id: 'deploy-bot',
      authorization_details: [
        {
          type: 'stepup_action',
          actions: ['db:DropTable'],
          identifier: 'prod/orders',
          locations: ['orders-db'],
        },
      ],
      approval: { request_id: requestId, approvers: ['U0ALICE'], policy: 'drop-prod-table' },
    });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.jti).toEqual(expect.any(String));
    // An unverified on_behalf_of never becomes the subject.
    expect(payload.sub).not.toBe('carol@example.com');
    expect((payload.approval as { decided_at: string }).decided_at).toEqual(expect.any(String));

    // A poll right after delivery (the answer may have been lost) gets the same grant again.
    const again = await api.poll(agent, requestId);
    expect(again.status).toBe(200);
    const copy = again.body.access_token as string;
    expect(decodeJwt(copy)).toEqual(payload);

    const first = await api.introspect(resourceServer, token);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ active: true, aud: 'orders-db', sub: 'deploy-bot', jti: payload.jti });
    for (const used of [token, copy]) {
      expect(await api.introspect(resourceServer, used)).toEqual({ status: 200, body: { active: false } });
    }
    expect((await api.poll(agent, requestId)).body).toMatchObject({
      error: 'invalid_grant',
      error_description: 'the token for this request was already delivered and used',
    });
  });

  it('records every step in the audit trail, returned to the requesting agent only', async () => {
    const requestId = await api.createRequest(agent);
    await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: 'U0BOB', decision: 'approve' });
    const token = (await pollUntilDecided(api, agent, requestId)).body.access_token as string;
    await api.introspect(resourceServer, token);

    const view = await api.get(`/v1/requests/${requestId}`, agent);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      status: 'approved',
      approvers: ['U0BOB'],
      token_delivered: true,
      token_used: true,
    });
    const events = view.body.events as { type: string; actor: string }[];
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'requested',
        'notified',
        'vote',
        'approved',
        'grant_issued',
        'token_delivered',
        'token_consumed',
      ]),
    );
    expect(events.find((e) => e.type === 'vote')?.actor).toBe('slack:T0EXAMPLE/U0BOB');
    expect(events.find((e) => e.type === 'token_consumed')?.actor).toBe('resource-server:orders-db');
    expect(JSON.stringify(view.body)).not.toMatch(/taskToken|task_token|local-task-/);

    const stranger = await runtime.devToken('other-bot');
    expect((await api.get(`/v1/requests/${requestId}`, stranger)).status).toBe(404);
    expect((await api.poll(stranger, requestId)).body.error).toBe('invalid_grant');
  });

  it('refuses introspection by anyone but the token audience, without consuming it', async () => {
    const requestId = await api.createRequest(agent);
    await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    const token = (await pollUntilDecided(api, agent, requestId)).body.access_token as string;

    const otherServer = await runtime.devToken('payments-api');
    expect(await api.introspect(otherServer, token)).toEqual({ status: 200, body: { active: false } });
    expect(await api.introspect(agent, token)).toEqual({ status: 200, body: { active: false } });
    expect((await api.introspect(resourceServer, token)).body.active).toBe(true);
  });

  it('updates the Slack message in place with the outcome', async () => {
    const requestId = await api.createRequest(agent);
    const message = await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    await pollUntilDecided(api, agent, requestId);
    expect(message.history.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(message.blocks)).toContain('Approved by <@U0ALICE>');
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
  });
});
