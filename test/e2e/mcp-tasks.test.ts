import { CallToolResultSchema, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WAIT_SECONDS } from '../../client/mcp/server';
import type { LocalRuntime } from '../../local/runtime';
import { eventually, slackMessage, startTestRuntime } from '../integration/support';
import { McpUnderTest } from './mcp-support';

const AGENT = 'mcp-host-bot';

const DROP_TABLE = {
  action: 'db:DropTable',
  resource: 'prod/orders',
  audience: 'orders-db',
  justification: 'drop the legacy orders table after the migration',
};

/**
 * A host's own timeout on the call, much shorter than the wait asked for (so the approval is "slow"),
 * standing in for the ~60 s of common MCP hosts without a test that lasts a minute.
 */
const HOST_TIMEOUT_MS = 8000;

describe('MCP hosts with short timeouts, and hosts that poll MCP tasks (stdio, SDK client)', () => {
  let runtime: LocalRuntime;
  let mcp: McpUnderTest;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    mcp = await McpUnderTest.start(runtime.url, await runtime.devToken(AGENT));
  });

  afterAll(async () => {
    await mcp?.close();
    await runtime?.stop();
  });

  it('waits well under the common 60 s host timeout by default', () => {
    expect(DEFAULT_WAIT_SECONDS).toBeLessThanOrEqual(30);
  });

  it('a host timeout never loses the auth_req_id: the first progress notification carries it and the binding code', async () => {
    const progress: { message?: string; _meta?: Record<string, unknown> }[] = [];
    const call = mcp.client.callTool(
      { name: 'request_elevation', arguments: { ...DROP_TABLE, wait_seconds: 300 } },
      CallToolResultSchema,
      { timeout: HOST_TIMEOUT_MS, onprogress: (p) => progress.push(p as (typeof progress)[number]) },
    );
    const failure = await call.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(McpError);
    expect((failure as McpError).code).toBe(ErrorCode.RequestTimeout);

    const first = progress[0]!;
    const id = first._meta?.['stepup/auth_req_id'] as string;
    const code = first._meta?.['stepup/binding_code'] as string;
    expect(id).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(first.message).toContain(`auth_req_id ${id}`);
    expect(first.message).toContain(`binding code ${code}`);
    expect(first.message).toContain('check_elevation');

    // The request is still pending (the host gave up, nobody cancelled it); the model goes on with the id.
    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
    const approved = await mcp.call('check_elevation', { auth_req_id: id });
    expect(approved).toMatchObject({ status: 'approved', auth_req_id: id, access_token: expect.any(String) });
  });

  it('offers request_elevation as an optional task', async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.find((t) => t.name === 'request_elevation')?.execution).toEqual({ taskSupport: 'optional' });
    expect(mcp.client.getServerCapabilities()?.tasks?.requests?.tools?.call).toBeDefined();
  });

  it('task-based waiting: the host polls the task for the whole approval window and gets the token', async () => {
    const stream = mcp.client.experimental.tasks.callToolStream(
      { name: 'request_elevation', arguments: { ...DROP_TABLE, resource: 'prod/invoices', wait_seconds: 0 } },
      CallToolResultSchema,
      { task: { ttl: 15 * 60 * 1000 } },
    );
    const first = await stream.next();
    expect(first.value).toMatchObject({ type: 'taskCreated' });
    const taskId = (first.value as { task: { taskId: string } }).task.taskId;

    // While it works, the task says which request it is: the model can show the binding code.
    const working = await eventually(async () => {
      const task = await mcp.client.experimental.tasks.getTask(taskId);
      return task.statusMessage?.startsWith('pending: auth_req_id') ? task : undefined;
    }, 'the task naming its request');
    expect(working.status).toBe('working');
    const id = /auth_req_id (\S+),/.exec(working.statusMessage!)![1]!;
    await slackMessage(runtime, id);
    expect(working.statusMessage).toContain(`binding code ${(await runtime.store.get(id))!.bindingCode}`);

    // wait_seconds 0 would answer pending at once in a plain call; the task waits for the decision.
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
    let last: IteratorResult<unknown> = first;
    for (;;) {
      const next = await stream.next();
      if (next.done) break;
      last = next;
    }
    expect(last.value).toMatchObject({ type: 'result' });
    const result = (last.value as { result: { structuredContent: Record<string, unknown> } }).result;
    expect(result.structuredContent).toMatchObject({
      status: 'approved',
      auth_req_id: id,
      access_token: expect.any(String),
    });
  });
});
