import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { promptDigest, StepUpClient } from '../../client/agent';
import { runCommand } from '../../client/cli/main';
import { createStepUpMcpServer } from '../../client/mcp/server';
import { createStepUpVerifier, OutcomeReportError } from '../../client/resource-server';
import type { LocalRuntime } from '../../local/runtime';
import { slackMessage, useTestRuntime } from './support';

const ASK = {
  action: 'db:DropTable',
  resource: 'prod/orders',
  audience: 'orders-db',
  justification: 'drop the legacy orders table after the migration',
};

describe('trace through the agent client, the CLI, the MCP server and the resource-server verifier', () => {
  let runtime: LocalRuntime;
  let agent: string;

  useTestRuntime((started) => ({ runtime, agent } = started));

  const approve = async (id: string) => {
    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
  };

  it('agent client → verifyAndConsume (operation) → recordOutcome: the whole trail', async () => {
    const client = new StepUpClient({ baseUrl: runtime.url, token: agent });
    const prompt = 'Drop the legacy orders table; the migration is done.';
    const handle = await client.requestElevation({
      ...ASK,
      trace: { sessionId: 'run-42', toolCallId: 'call_7', promptSha256: promptDigest(prompt) },
    });
    await approve(handle.id);
    const token = await handle.waitForToken();

    const ordersDb = await runtime.devToken('orders-db');
    const verifier = createStepUpVerifier({
      issuer: runtime.url,
      audience: 'orders-db',
      introspect: { bearer: () => ordersDb },
    });
    const claims = await verifier.verifyAndConsume(token.accessToken, {
      action: 'db:DropTable',
      resource: 'prod/orders',
      method: 'DELETE',
      path: '/tables/orders',
    });
    expect(claims.trace).toEqual({
      session_id: 'run-42',
      tool_call_id: 'call_7',
      prompt_sha256: promptDigest(prompt),
    });
    const recorded = await verifier.recordOutcome(claims, { result: 'succeeded', code: 'http_204' });
    expect(recorded).toMatchObject({ requestId: handle.id, result: 'succeeded', code: 'http_204' });
    // A retry answers the same; another outcome is refused.
    expect(await verifier.recordOutcome(claims, { result: 'succeeded', code: 'http_204' })).toEqual(recorded);
    await expect(verifier.recordOutcome(claims, { result: 'failed' })).rejects.toMatchObject({
      name: 'OutcomeReportError',
      code: 'conflict',
    });

    const status = await handle.status();
    expect(status.trace).toMatchObject({ sessionId: 'run-42', toolCallId: 'call_7' });
    expect(status.trail.map((link) => link.link)).toEqual([
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
    expect(status.trail.find((link) => link.link === 'use')?.detail).toMatchObject({
      method: 'DELETE',
      path: '/tables/orders',
    });
  });

  it('a resource server that is not the audience cannot report the outcome', async () => {
    const client = new StepUpClient({ baseUrl: runtime.url, token: agent });
    const handle = await client.requestElevation(ASK);
    await approve(handle.id);
    const token = await handle.waitForToken();
    const verifier = createStepUpVerifier({
      issuer: runtime.url,
      audience: 'orders-db',
      introspect: { bearer: () => runtime.devToken('orders-db') },
    });
    const claims = await verifier.verifyAndConsume(token.accessToken, {
      action: 'db:DropTable',
      resource: 'prod/orders',
      operation: 'orders.DropTable',
    });
    const impostor = createStepUpVerifier({
      issuer: runtime.url,
      audience: 'orders-db',
      introspect: { bearer: () => runtime.devToken('payments-api') },
    });
    const refused = await impostor
      .recordOutcome(claims, { result: 'failed' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OutcomeReportError);
    expect(refused).toMatchObject({ code: 'forbidden' });
  });

  it('stepup request --trace-session --tool-call --prompt-file sends the digest, never the prompt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepup-trace-'));
    const promptFile = join(dir, 'prompt.txt');
    writeFileSync(promptFile, 'the secret prompt');
    const out: string[] = [];
    const code = await runCommand(
      [
        'request',
        ...['--action', ASK.action, '--resource', ASK.resource, '--audience', ASK.audience],
        ...['--reason', ASK.justification],
        ...['--trace-session', 'cli-session', '--tool-call', 'call_9', '--prompt-file', promptFile],
        ...['--traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '--model', 'gpt-5'],
      ],
      { out: (line) => out.push(line), err: () => undefined },
      { env: { STEPUP_URL: runtime.url, STEPUP_TOKEN: agent } },
    );
    expect(code).toBe(0);
    const stored = await runtime.store.get(out[0]!);
    expect(stored?.trace).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      session_id: 'cli-session',
      tool_call_id: 'call_9',
      prompt_sha256: promptDigest('the secret prompt'),
      model: 'gpt-5',
    });
    expect(JSON.stringify(stored)).not.toContain('the secret prompt');
  });

  it('the MCP server fills tool_call_id from the MCP request id, and traceparent from _meta', async () => {
    const client = new StepUpClient({ baseUrl: runtime.url, token: agent });
    const server = createStepUpMcpServer({ client, trace: { sessionId: 'mcp-session', model: 'claude' } });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const mcp = new Client({ name: 'trace-test', version: '1.0.0' });
    await mcp.connect(clientSide);
    try {
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const answer = await mcp.callTool({
        name: 'request_elevation',
        // Another resource than the CLI's pending request, which an identical one would join.
        arguments: { ...ASK, resource: 'prod/orders-mcp', wait_seconds: 0 },
        _meta: { traceparent },
      });
      const id = (answer.structuredContent as { auth_req_id: string }).auth_req_id;
      const stored = await runtime.store.get(id);
      // The client's requests are numbered from 0: initialize, then this tools/call.
      expect(stored?.trace).toEqual({
        tool_call_id: '1',
        traceparent,
        session_id: 'mcp-session',
        model: 'claude',
      });
    } finally {
      await mcp.close();
      await server.close();
    }
  });
});
