import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { Api, eventually, slackMessage, startTestRuntime, testConfig } from '../integration/support';
import { McpUnderTest } from './mcp-support';

const AGENT = 'mcp-bot';

const DROP_TABLE = {
  action: 'db:DropTable',
  resource: 'prod/orders',
  audience: 'orders-db',
  justification: 'drop the legacy orders table after the migration',
};

describe('the MCP server (stepup mcp) driven by the MCP SDK client over stdio', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let mcp: McpUnderTest;
  const call = (name: string, args: Record<string, unknown>) => mcp.call(name, args);

  beforeAll(async () => {
    runtime = await startTestRuntime();
    api = new Api(runtime);
    mcp = await McpUnderTest.start(runtime.url, await runtime.devToken(AGENT));
  });

  afterAll(async () => {
    await mcp?.close();
    await runtime?.stop();
  });

  it('offers request_elevation and check_elevation, telling the model how to use the token', async () => {
    const { tools } = await mcp.client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual([
      'check_elevation',
      'get_aws_credentials',
      'list_elevation_options',
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
    for (const tool of [request, byName.check_elevation!]) {
      expect(tool.description).toMatch(/ONE call waits up to wait_seconds/);
      expect(tool.description).toMatch(/call it again only when it returns status "pending"/);
      expect(tool.description).toMatch(/show your user the binding_code/);
    }
    for (const tool of tools) expect(tool.outputSchema?.properties, tool.name).toHaveProperty('status');
  });

  it('answers pending after wait_seconds; once approved, check_elevation hands out the token once', async () => {
    const pending = await call('request_elevation', { ...DROP_TABLE, wait_seconds: 1 });
    expect(pending).toMatchObject({
      status: 'pending',
      auth_req_id: expect.any(String),
      approvals: 0,
      approvals_needed: 1,
    });
    const id = pending.auth_req_id as string;
    expect(pending.instructions).toContain(`binding code ${pending.binding_code as string}`);
    expect(await call('check_elevation', { auth_req_id: id, wait_seconds: 0 })).toMatchObject({
      status: 'pending',
    });

    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
    const approved = await call('check_elevation', { auth_req_id: id });
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

    expect(await call('check_elevation', { auth_req_id: id })).toMatchObject({
      status: 'approved',
      token_delivered: true,
      token_used: true,
    });
  });

  it('returns the token from request_elevation itself when approved within wait_seconds', async () => {
    const before = await runtime.store.listByAgent(AGENT);
    const progress: { progress: number; total?: number; message?: string }[] = [];
    const answer = mcp.call('request_elevation', { ...DROP_TABLE, wait_seconds: 30 }, (p) =>
      progress.push(p),
    );
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

  it('check_elevation long-polls by default: one call answers with the token once approved', async () => {
    const pending = await call('request_elevation', {
      ...DROP_TABLE,
      resource: 'prod/shipments',
      wait_seconds: 0,
    });
    const id = pending.auth_req_id as string;
    const answer = call('check_elevation', { auth_req_id: id });
    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
    expect(await answer).toMatchObject({
      status: 'approved',
      auth_req_id: id,
      access_token: expect.any(String),
    });
  });

  it('hands out an auto-approved token at once, even with wait_seconds 0', async () => {
    const answer = await call('request_elevation', {
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

  it('reports a human denial as denied, with its reason, telling the model to stop and not reword', async () => {
    const pending = await call('request_elevation', {
      ...DROP_TABLE,
      resource: 'prod/customers',
      wait_seconds: 0,
    });
    const id = pending.auth_req_id as string;
    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0BOB', decision: 'deny' });
    const denied = await call('check_elevation', { auth_req_id: id });
    expect(denied).toMatchObject({
      status: 'denied',
      auth_req_id: id,
      reason: expect.stringMatching(/denied/),
    });
    expect(denied.instructions).toMatch(/A human approver decided/);
    expect(denied.instructions).toMatch(/do NOT ask again with a reworded/);
    expect(denied.text).toContain(denied.instructions as string);
  });

  it('binds request_elevation to the parameters it is given', async () => {
    const pending = await call('request_elevation', {
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

  it('reports what a policy forbids at once as forbidden_by_policy, naming the policy', async () => {
    const denied = await call('request_elevation', {
      action: 'payments:Transfer',
      resource: 'prod/treasury',
      audience: 'payments-api',
      justification: 'Carol asked me to pay the invoice.',
      on_behalf_of: 'carol@example.com',
    });
    expect(denied).toMatchObject({ status: 'forbidden_by_policy', policies: ['no-agent-payments'] });
    expect(denied.instructions).toMatch(/No human was asked/);
    expect(denied.instructions).toMatch(/do not rephrase/);
    expect(denied.instructions).toContain('no-agent-payments');
    expect(mcp.stderr).toBe('');
  });

  it('reports an action the policy schema does not declare as invalid_request, not as a decision', async () => {
    const invalid = await call('request_elevation', {
      action: 'db:Teleport',
      resource: 'prod/orders',
      audience: 'orders-db',
      justification: 'move the table somewhere else',
    });
    expect(invalid).toMatchObject({ status: 'invalid_request', error: 'invalid_request', isError: false });
    expect(invalid.error_description).toMatch(/^action is not one the policy schema declares/);
    expect(invalid.error_description).toContain('db:DropTable');
    expect(invalid.error_description).not.toContain('db:Teleport');
    expect(invalid.instructions).toMatch(/nobody decided/);
    expect(invalid.instructions).toContain('list_elevation_options');
    expect(invalid.instructions).not.toMatch(/approver decided|humans decided/);
  });

  it('list_elevation_options names the actions and what each needs here, so the model does not guess', async () => {
    const all = await call('list_elevation_options', {});
    expect(all).toMatchObject({ status: 'listed', agent: AGENT, isError: false });
    expect((all.actions as { action: string }[]).map((a) => a.action)).toContain('db:DropTable');
    const here = await call('list_elevation_options', {
      resource: 'prod/treasury',
      audience: 'payments-api',
    });
    const byAction = Object.fromEntries((here.actions as { action: string }[]).map((a) => [a.action, a]));
    expect(byAction['payments:Transfer']).toMatchObject({
      decision: 'deny',
      policies: ['no-agent-payments'],
    });
    expect(byAction['logs:Read']).toMatchObject({ decision: 'auto_approve' });
    expect(here.instructions).toContain('Do not request payments:Transfer on prod/treasury');
  });

  it('reports a request withdrawn meanwhile as cancelled', async () => {
    const pending = await call('request_elevation', {
      ...DROP_TABLE,
      resource: 'prod/invoices',
      wait_seconds: 0,
    });
    const id = pending.auth_req_id as string;
    const cancel = await api.postJson(`/v1/requests/${id}/cancel`, {}, await runtime.devToken(AGENT));
    expect(cancel.status).toBeLessThan(300);
    const cancelled = await call('check_elevation', { auth_req_id: id });
    expect(cancelled).toMatchObject({ status: 'cancelled', auth_req_id: id });
    expect(cancelled.instructions).toMatch(/withdrawn/);
  });
});

describe('the MCP server when time runs out', () => {
  let runtime: LocalRuntime;
  let mcp: McpUnderTest;
  let stale: McpUnderTest;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      ...testConfig(),
      defaults: { ...testConfig().defaults, approvalTimeoutSeconds: 1 },
    });
    mcp = await McpUnderTest.start(runtime.url, await runtime.devToken(AGENT));
    stale = await McpUnderTest.start(runtime.url, await runtime.devToken(AGENT, {}, -60));
  });

  afterAll(async () => {
    await mcp?.close();
    await stale?.close();
    await runtime?.stop();
  });

  it('reports a request nobody decided in time as expired', async () => {
    const pending = await mcp.call('request_elevation', { ...DROP_TABLE, wait_seconds: 0 });
    const id = pending.auth_req_id as string;
    const expired = await eventually(async () => {
      const answer = await mcp.call('check_elevation', { auth_req_id: id, wait_seconds: 5 });
      return answer.status === 'pending' ? undefined : answer;
    });
    expect(expired).toMatchObject({ status: 'expired', auth_req_id: id });
    expect(expired.instructions).toMatch(/Nobody approved in time/);
  });

  it('reports an expired workload token as unauthenticated, saying so', async () => {
    const answer = await stale.call('request_elevation', DROP_TABLE);
    expect(answer).toMatchObject({ status: 'unauthenticated', isError: false });
    expect(answer.reason).toMatch(/expired/);
    expect(answer.instructions).toMatch(/must be renewed/);
    expect(answer.instructions).toMatch(/Calling again will not help/);
  });
});
