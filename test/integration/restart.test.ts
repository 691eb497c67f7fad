import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { Api, pollUntilDecided, slackMessage, testConfig } from './support';

describe('a restart of the local runtime loses nothing', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stepup-data-'));
  let runtime: LocalRuntime | undefined;
  const start = () => startLocalRuntime({ dataDir, port: 0, config: testConfig(), env: {} });

  afterAll(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a request pending at shutdown can be approved after restart, and its token verifies', async () => {
    runtime = await start();
    let api = new Api(runtime);
    const requestId = await api.createRequest(await runtime.devToken('deploy-bot'));
    const message = await slackMessage(runtime, requestId);
    await runtime.stop();

    runtime = await start();
    api = new Api(runtime);
    await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    const agent = await runtime.devToken('deploy-bot');
    const answer = await pollUntilDecided(api, agent, requestId);
    expect(answer.status).toBe(200);
    const introspection = await api.introspect(
      await runtime.devToken('orders-db'),
      answer.body.access_token as string,
    );
    expect(introspection.body.active).toBe(true);
    // Paged once, before the restart; the message was updated in place with the outcome.
    expect(runtime.slack!.messages).toHaveLength(1);
    expect(JSON.stringify(runtime.slack!.messageFor(requestId)?.blocks)).toContain('Approved by <@U0ALICE>');
    expect(message.ts).toBe(runtime.slack!.messageFor(requestId)?.ts);
  });
});
