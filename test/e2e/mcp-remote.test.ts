import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { slackMessage, startTestRuntime } from '../integration/support';
import { McpUnderTest } from './mcp-support';

const AGENT = 'remote-mcp-bot';

const DROP_TABLE = {
  action: 'db:DropTable',
  resource: 'prod/orders',
  audience: 'orders-db',
  justification: 'drop the legacy orders table after the migration',
};

describe('remote MCP: POST /mcp over Streamable HTTP (stateless, JSON), the workload JWT as bearer', () => {
  let runtime: LocalRuntime;
  let mcp: McpUnderTest;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    mcp = await McpUnderTest.remote(`${runtime.url}/mcp`, await runtime.devToken(AGENT));
  });

  afterAll(async () => {
    await mcp?.close();
    await runtime?.stop();
  });

  it('offers the four tools, each with an outputSchema, no tasks, a wait the HTTP API can hold', async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'check_elevation',
      'get_aws_credentials',
      'list_elevation_options',
      'request_elevation',
    ]);
    expect(mcp.client.getServerCapabilities()?.tasks).toBeUndefined();
    const wait = tools.find((t) => t.name === 'request_elevation')!.inputSchema.properties!.wait_seconds;
    expect(wait).toMatchObject({ maximum: 20 });
  });

  it('asks, answers pending with the auth_req_id, and hands out the token once approved, as the agent', async () => {
    const pending = await mcp.call('request_elevation', { ...DROP_TABLE, wait_seconds: 0 });
    expect(pending).toMatchObject({ status: 'pending', auth_req_id: expect.any(String) });
    const id = pending.auth_req_id as string;
    expect((await runtime.store.get(id))?.agent).toBe(AGENT);
    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
    const approved = await mcp.call('check_elevation', { auth_req_id: id });
    expect(approved).toMatchObject({ status: 'approved', auth_req_id: id, access_token: expect.any(String) });
    const options = await mcp.call('list_elevation_options', { resource: 'prod/orders' });
    expect(options).toMatchObject({ status: 'listed', agent: AGENT });
  });

  it('refuses a call without a valid workload token with 401, before any MCP', async () => {
    const response = await fetch(`${runtime.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    await expect(McpUnderTest.remote(`${runtime.url}/mcp`, 'not-a-jwt')).rejects.toThrow();
  });

  it('publishes RFC 9728 protected resource metadata naming the endpoint and the workload issuer', async () => {
    const response = await fetch(`${runtime.url}/.well-known/oauth-protected-resource`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      resource: `${runtime.url}/mcp`,
      authorization_servers: expect.arrayContaining([`${runtime.url}/dev`]),
      bearer_methods_supported: ['header'],
    });
  });
});
