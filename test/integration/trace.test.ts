import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../client/cli/main';
import { key } from '../../lambdas/adapters/aws/dynamodb-request-store';
import type { LocalRuntime } from '../../local/runtime';
import { Api, pollUntilDecided, slackMessage, useTestRuntime, workflowDone } from './support';

const TRACE = {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  session_id: 'sess_2f9c1e7a',
  tool_call_id: 'toolu_01A09q90qw90lq917835lq9',
  prompt_sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  model: 'claude-sonnet-4-5',
};

const ASK = {
  action: 'db:DropTable',
  resource: 'prod/orders',
  audience: 'orders-db',
  justification: 'drop the legacy orders table after the migration',
};

describe('trace: from the prompt to the downstream call', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;

  useTestRuntime((started) => ({ runtime, api, agent } = started));

  /** `stepup audit verify id` as the agent: exit code and output. */
  async function verify(id: string): Promise<{ code: number; out: string }> {
    const out: string[] = [];
    const code = await runCommand(
      ['audit', 'verify', id],
      { out: (line) => out.push(line), err: (line) => out.push(line) },
      { env: { STEPUP_URL: runtime.url, STEPUP_TOKEN: agent } },
    );
    return { code, out: out.join('\n') };
  }

  /** Creates an approved request with `trace` and collects its token. */
  async function approvedWithTrace(): Promise<{ id: string; token: string }> {
    const created = await api.postJson('/v1/requests', { ...ASK, trace: TRACE }, agent);
    expect(created.status).toBe(202);
    const id = created.body.auth_req_id as string;
    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
    const delivered = await pollUntilDecided(api, agent, id);
    expect(delivered.status).toBe(200);
    // The outcome is told to Slack after the token is ready; its write must not land mid-test.
    await workflowDone(runtime, id);
    return { id, token: delivered.body.access_token as string };
  }

  it('shows every link in GET /v1/requests/{id}, with the token and introspection carrying the trace', async () => {
    const { id, token } = await approvedWithTrace();

    // The session id is shown to approvers as agent-written text, below the divider.
    const message = await slackMessage(runtime, id);
    const texts = JSON.stringify(message!.blocks);
    expect(texts).toContain('Written by the agent (unverified, not checked by stepup):');
    expect(texts).toMatch(/Session\\n\u2503 sess_2f9c1e7a/);

    const jwks = createRemoteJWKSet(new URL(`${runtime.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(token, jwks, {
      algorithms: ['ES256'],
      typ: 'at+jwt',
      issuer: runtime.url,
      audience: 'orders-db',
    });
    expect(payload.trace).toEqual(TRACE);

    const resourceServer = await runtime.devToken('orders-db');
    const introspected = await api.postForm(
      '/v1/introspect',
      { token, method: 'DELETE', path: '/tables/orders', operation: 'orders.DropTable' },
      resourceServer,
    );
    expect(introspected.body).toMatchObject({ active: true, trace: TRACE });

    const outcome = await api.postJson(
      `/v1/requests/${id}/outcome`,
      { result: 'succeeded', code: 'http_204' },
      resourceServer,
    );
    expect(outcome).toEqual({
      status: 200,
      body: { auth_req_id: id, result: 'succeeded', code: 'http_204', recorded_at: expect.any(String) },
    });
    // Once: the same report answers as the first did; another one is a conflict.
    const again = await api.postJson(
      `/v1/requests/${id}/outcome`,
      { result: 'succeeded', code: 'http_204' },
      resourceServer,
    );
    expect(again).toEqual(outcome);
    const other = await api.postJson(`/v1/requests/${id}/outcome`, { result: 'failed' }, resourceServer);
    expect(other.status).toBe(409);
    expect(other.body.error).toBe('conflict');

    await workflowDone(runtime, id);
    const view = await api.get(`/v1/requests/${id}`, agent);
    expect(view.body.trace).toEqual(TRACE);
    const trail = view.body.trail as { link: string; event?: number; detail?: Record<string, unknown> }[];
    expect(trail.map((link) => link.link)).toEqual([
      'prompt',
      'tool_call',
      'request',
      'policy',
      'vote',
      'decision',
      'grant',
      'delivery',
      'use',
      'outcome',
    ]);
    const link = (name: string) => trail.find((l) => l.link === name)!;
    expect(link('prompt').detail).toEqual({
      prompt_sha256: TRACE.prompt_sha256,
      model: TRACE.model,
      session_id: TRACE.session_id,
    });
    expect(link('tool_call').detail).toEqual({ tool_call_id: TRACE.tool_call_id });
    expect(link('request').detail).toMatchObject({ traceparent: TRACE.traceparent, action: 'db:DropTable' });
    expect(link('policy').detail).toMatchObject({ outcome: 'step_up' });
    expect(link('vote')).toMatchObject({ actor: 'slack:T0EXAMPLE/U0ALICE' });
    expect(link('use')).toMatchObject({
      actor: 'resource-server:orders-db',
      detail: {
        event: 'token_consumed',
        method: 'DELETE',
        path: '/tables/orders',
        operation: 'orders.DropTable',
      },
    });
    expect(link('outcome')).toMatchObject({
      actor: 'resource-server:orders-db',
      detail: { event: 'action_outcome', result: 'succeeded', code: 'http_204' },
    });
    // Each link names the event that records it.
    const events = view.body.events as { type: string }[];
    expect(events[link('outcome').event!]!.type).toBe('action_outcome');
    expect(events[link('use').event!]!.type).toBe('token_consumed');

    // The outcome joined the chain, and with it the consumption it names.
    expect(await verify(id)).toEqual({ code: 0, out: `ok: ${events.length - 1} events chained` });
    await runtime.dynamo.client.send(
      new UpdateItemCommand({
        TableName: runtime.dynamo.tableName,
        Key: key(id),
        UpdateExpression: 'SET consumption.detail.#path = :path',
        ExpressionAttributeNames: { '#path': 'path' },
        ExpressionAttributeValues: marshall({ ':path': '/tables/customers' }),
      }),
    );
    const use = link('use').event!;
    expect(await verify(id)).toEqual({
      code: 1,
      out: expect.stringMatching(new RegExp(`^broken: event ${use} \\(token_consumed at `)),
    });
  });

  it.each([
    ['traceparent', { traceparent: '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }],
    ['traceparent', { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }],
    ['traceparent', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01' }],
    ['traceparent', { traceparent: '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01' }],
    ['traceparent', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1' }],
    ['session_id', { session_id: 'x'.repeat(129) }],
    ['session_id', { session_id: '<script>' }],
    ['tool_call_id', { tool_call_id: 'call 1' }],
    ['prompt_sha256', { prompt_sha256: 'the whole prompt, which must never be sent' }],
    ['prompt_sha256', { prompt_sha256: 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgh' }],
    ['model', { model: 42 }],
  ])(
    'refuses a bad trace.%s with 400, naming it without echoing it, storing nothing',
    async (field, trace) => {
      const before = await runtime.store.listByAgent('deploy-bot');
      const response = await api.postJson('/v1/requests', { ...ASK, trace }, agent);
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('invalid_request');
      const description = response.body.error_description as string;
      expect(description).toContain(`trace.${field}`);
      const value = String(Object.values(trace)[0]);
      expect(description).not.toContain(value);
      expect(await runtime.store.listByAgent('deploy-bot')).toEqual(before);
    },
  );

  it('refuses a trace that is not an object, or has unknown members', async () => {
    for (const trace of ['sess', ['a'], { prompt: 'leak me' }]) {
      const response = await api.postJson('/v1/requests', { ...ASK, trace }, agent);
      expect(response.status).toBe(400);
      expect(response.body.error_description).toMatch(/^trace/);
      expect(response.body.error_description).not.toContain('leak me');
    }
  });

  it('accepts a prompt digest in base64url (32 bytes)', async () => {
    const trace = { prompt_sha256: 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg' };
    const response = await api.postJson('/v1/requests', { ...ASK, trace }, agent);
    expect(response.status).toBe(202);
  });

  it('takes outcomes only from the token’s audience, after its use', async () => {
    const { id, token } = await approvedWithTrace();
    const resourceServer = await runtime.devToken('orders-db');
    const report = { result: 'failed', code: 'lock_timeout' };

    const early = await api.postJson(`/v1/requests/${id}/outcome`, report, resourceServer);
    expect(early.status).toBe(409);

    expect((await api.introspect(resourceServer, token)).body.active).toBe(true);
    const version = (await runtime.store.get(id))!.version;

    const otherServer = await api.postJson(
      `/v1/requests/${id}/outcome`,
      report,
      await runtime.devToken('payments-api'),
    );
    expect(otherServer.status).toBe(403);
    expect(otherServer.body.error).toBe('forbidden');
    // The requesting agent is not the audience either.
    expect((await api.postJson(`/v1/requests/${id}/outcome`, report, agent)).status).toBe(403);
    expect((await api.postJson(`/v1/requests/${id}/outcome`, report)).status).toBe(401);
    expect((await runtime.store.get(id))!.version).toBe(version);

    for (const bad of [
      { result: 'ok' },
      { result: 'failed', code: 'has space' },
      { result: 'failed', x: 1 },
    ]) {
      const response = await api.postJson(`/v1/requests/${id}/outcome`, bad, resourceServer);
      expect(response.status).toBe(400);
      expect(response.body.error_description).not.toContain('has space');
    }
    expect((await runtime.store.get(id))!.version).toBe(version);
    const unknown = await api.postJson('/v1/requests/no-such-request/outcome', report, resourceServer);
    expect(unknown.status).toBe(404);

    const recorded = await api.postJson(`/v1/requests/${id}/outcome`, report, resourceServer);
    expect(recorded.body).toMatchObject({ result: 'failed', code: 'lock_timeout' });
  });

  it('refuses method without path in introspection, consuming nothing', async () => {
    const { id, token } = await approvedWithTrace();
    const resourceServer = await runtime.devToken('orders-db');
    const response = await api.postForm('/v1/introspect', { token, method: 'DELETE' }, resourceServer);
    expect(response.status).toBe(400);
    expect((await runtime.store.get(id))!.consumedAt).toBeUndefined();
    const bad = await api.postForm(
      '/v1/introspect',
      { token, path: '/a?secret=1', method: 'GET' },
      resourceServer,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error_description).not.toContain('secret');
    expect((await runtime.store.get(id))!.consumedAt).toBeUndefined();
  });
});
