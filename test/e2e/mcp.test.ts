import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { Api, eventually, slackMessage, startTestRuntime } from '../integration/support';

const AGENT = 'mcp-bot';

const DROP_TABLE = {
  action: 'db:DropTable',
  resource: 'prod/orders',
  audience: 'orders-db',
  justification: 'drop the legacy orders table after the migration',
};

/** The JSON a tool answered with (its structured content). */
async function call(client: Client, name: string, args: Record<string, unknown>) {
  const answer = await client.callTool({ name, arguments: args });
  return answer.structuredContent as Record<string, unknown>;
}

describe('the MCP server (stepup mcp) driven by the MCP SDK client over stdio', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let client: Client;
  let stderr = '';

  beforeAll(async () => {
    runtime = await startTestRuntime();
    api = new Api(runtime);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['bin/stepup.cjs', 'mcp'],
      env: {
        PATH: process.env.PATH ?? '',
        STEPUP_URL: runtime.url,
        STEPUP_TOKEN: await runtime.devToken(AGENT),
      },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    client = new Client({ name: 'stepup-test', version: '1.0.0' });
    await client.connect(transport);
  });

  afterAll(async () => {
    await client?.close();
    await runtime?.stop();
  });

  it('offers request_elevation and check_elevation, telling the model how to use the token', async () => {
    const { tools } = await client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual([
      'check_elevation',
      'get_aws_credentials',
      'request_elevation',
    ]);
    const request = byName.request_elevation!;
    expect(request.inputSchema.required?.sort()).toEqual(['action', 'audience', 'justification', 'resource']);
    expect(Object.keys(request.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['on_behalf_of', 'wait_seconds']),
    );
    for (const tool of [request, byName.check_elevation!]) {
      expect(tool.description).toContain('exactly one action on one resource at one audience');
      expect(tool.description).toContain('works ONCE');
      expect(tool.description).toContain('expires within minutes');
      expect(tool.description).toMatch(/do NOT ask again with a reworded/);
    }
    expect(byName.check_elevation!.inputSchema.required).toEqual(['auth_req_id']);
  });

  it('answers pending after wait_seconds; once approved, check_elevation hands out the token once', async () => {
    const pending = await call(client, 'request_elevation', { ...DROP_TABLE, wait_seconds: 1 });
    expect(pending).toMatchObject({
      status: 'pending',
      auth_req_id: expect.any(String),
      approvals: 0,
      approvals_needed: 1,
    });
    const id = pending.auth_req_id as string;
    expect(await call(client, 'check_elevation', { auth_req_id: id })).toMatchObject({ status: 'pending' });

    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
    const approved = await call(client, 'check_elevation', { auth_req_id: id });
    expect(approved).toMatchObject({
      status: 'approved',
      auth_req_id: id,
      token_type: 'Bearer',
      access_token: expect.any(String),
      authorization_details: [
        { actions: ['db:DropTable'], identifier: 'prod/orders', locations: ['orders-db'] },
      ],
    });
    expect(approved.instructions).toContain('once');

    const introspection = await api.introspect(
      await runtime.devToken('orders-db'),
      approved.access_token as string,
    );
    expect(introspection.body).toMatchObject({ active: true, client_id: AGENT });

    expect(await call(client, 'check_elevation', { auth_req_id: id })).toMatchObject({
      status: 'approved',
      token_delivered: true,
      token_used: true,
    });
  });

  it('returns the token from request_elevation itself when approved within wait_seconds', async () => {
    const before = await runtime.store.listByAgent(AGENT);
    const progress: { progress: number; total?: number; message?: string }[] = [];
    const answer = client
      .callTool({ name: 'request_elevation', arguments: { ...DROP_TABLE, wait_seconds: 30 } }, undefined, {
        onprogress: (p) => progress.push(p),
      })
      .then((result) => result.structuredContent as Record<string, unknown>);
    const id = await eventually(async () =>
      (await runtime.store.listByAgent(AGENT)).find((candidate) => !before.includes(candidate)),
    );
    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0BOB', decision: 'approve' });
    expect(await answer).toMatchObject({
      status: 'approved',
      auth_req_id: id,
      access_token: expect.any(String),
    });
  });

  it('hands out an auto-approved token at once, even with wait_seconds 0', async () => {
    const answer = await call(client, 'request_elevation', {
      action: 'logs:Read',
      resource: 'prod/app-logs',
      audience: 'log-api',
      justification: 'Debug the 500s.',
      wait_seconds: 0,
    });
    expect(answer).toMatchObject({
      status: 'approved',
      access_token: expect.any(String),
      authorization_details: [{ actions: ['logs:Read'] }],
    });
  });

  it('reports a denial with its reason and tells the model not to reword and retry', async () => {
    const pending = await call(client, 'request_elevation', {
      ...DROP_TABLE,
      resource: 'prod/customers',
      wait_seconds: 0,
    });
    const id = pending.auth_req_id as string;
    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0BOB', decision: 'deny' });
    const denied = await call(client, 'check_elevation', { auth_req_id: id });
    expect(denied).toMatchObject({
      status: 'denied',
      auth_req_id: id,
      reason: expect.stringMatching(/denied/),
    });
    expect(denied.instructions).toMatch(/do NOT ask again with a reworded/);
  });

  it('binds request_elevation to the parameters it is given', async () => {
    const pending = await call(client, 'request_elevation', {
      ...DROP_TABLE,
      resource: 'prod/order-archive',
      parameters: { sql: 'DROP TABLE order_archive' },
      wait_seconds: 0,
    });
    const view = await api.get(
      `/v1/requests/${pending.auth_req_id as string}`,
      await runtime.devToken(AGENT),
    );
    expect(view.body).toMatchObject({
      parameters: { sql: 'DROP TABLE order_archive' },
      parameters_sha256: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it('reports what a policy forbids at once, naming the policy', async () => {
    const denied = await call(client, 'request_elevation', {
      action: 'payments:Transfer',
      resource: 'prod/treasury',
      audience: 'payments-api',
      justification: 'Carol asked me to pay the invoice.',
      on_behalf_of: 'carol@example.com',
    });
    expect(denied).toMatchObject({ status: 'denied', policies: ['no-agent-payments'] });
    expect(stderr).toBe('');
  });
});
