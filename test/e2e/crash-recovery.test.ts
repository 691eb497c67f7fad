import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../lambdas/adapters/config-file';
import { newSlackCredentials, SlackWebApi, type SlackCall } from '../deployed/slack-api';
import { requestDropTableAsDevAgent } from './dev-agent';
import { bannerUrl, launch, type LocalProcess } from './local-process';

// Crashes at the worst moments: the runtime's process group is SIGKILLed and `npm start` (local/main.ts)
// starts again on the same data directory. Slack is a stand-in in this test process (it outlives the
// crash, as Slack does), reached through SLACK_API_URL with real-looking credentials.

const credentials = newSlackCredentials();
let slack: SlackWebApi;
const running: LocalProcess[] = [];
const dataDirs: string[] = [];

beforeAll(async () => {
  slack = await SlackWebApi.start(credentials, loadConfigFile().slack.teamId);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.kill()));
});
afterAll(async () => {
  await slack.stop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

function start(script: string, dataDir: string, env: NodeJS.ProcessEnv = {}): LocalProcess {
  const service = launch(script, ['--port', '0'], {
    STEPUP_DATA_DIR: dataDir,
    SLACK_API_URL: slack.url,
    SLACK_BOT_TOKEN: credentials.botToken,
    SLACK_SIGNING_SECRET: credentials.signingSecret,
    ...env,
  });
  running.push(service);
  return service;
}

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepup-crash-'));
  dataDirs.push(dir);
  return dir;
}

const postOf = (requestId: string) => (call: SlackCall) =>
  call.method === 'chat.postMessage' && JSON.stringify(call.fields).includes(requestId);

async function createRequest(url: string): Promise<string> {
  const created = await requestDropTableAsDevAgent(url, 'deploy-bot', 'drop the legacy table');
  expect(created.status).toBe(202);
  return ((await created.json()) as { auth_req_id: string }).auth_req_id;
}

/** Alice's click, exactly as Slack sends it: signed, form-encoded, to /slack/events. */
async function approve(url: string, requestId: string): Promise<number> {
  const signed = slack.slack.click({ requestId, user: 'U0ALICE', decision: 'approve' });
  const response = await fetch(`${url}/slack/events`, {
    method: 'POST',
    headers: signed.headers,
    body: signed.body,
  });
  return response.status;
}

async function poll(
  url: string,
  requestId: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const { access_token: agent } = (await (
    await fetch(`${url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'deploy-bot' }),
    })
  ).json()) as { access_token: string };
  const response = await fetch(`${url}/v1/token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: requestId }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('a crash of npm start', () => {
  it('right after a click decided the request: the grant survives with the click, the restart closes the message', async () => {
    const dataDir = newDataDir();
    const first = start('test/e2e/fixtures/runtime-holding-step.ts', dataDir, { HOLD_STEP: 'NotifyOutcome' });
    const [, firstUrl] = await first.line(/ready (http:\/\/\S+)/);
    const requestId = await createRequest(firstUrl!);
    await slack.waitFor(postOf(requestId));
    expect(await approve(firstUrl!, requestId)).toBe(200);
    // The vote and its grant are stored and the workflow resumed; the process dies before Slack is told.
    await first.line(new RegExp(`held NotifyOutcome ${requestId}`));
    await first.kill();

    const restarted = start('local/main.ts', dataDir);
    const url = await bannerUrl(restarted);
    const ready = performance.now();
    const token = await poll(url, requestId);
    const collectable = performance.now() - ready;
    console.log(
      `[crash-recovery] click before crash → token collectable ${collectable.toFixed(0)} ms after ready`,
    );
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    expect(token.body.access_token).toEqual(expect.any(String));
    const message = slack.slack.messageFor(requestId)!;
    expect(JSON.stringify(message.blocks)).toContain('Approved by <@U0ALICE>');
    expect(JSON.stringify(message.blocks)).not.toContain('stepup_approve');
    expect(slack.calls.filter(postOf(requestId))).toHaveLength(1);
  }, 120_000);

  it('while chat.postMessage is in flight: the restart finds that post instead of paging twice', async () => {
    const dataDir = newDataDir();
    const first = start('local/main.ts', dataDir);
    const firstUrl = await bannerUrl(first);
    // Slack takes the post and never answers: the crash comes before the message is recorded.
    const held = slack.hold((call) => call.method === 'chat.postMessage');
    const requestId = await createRequest(firstUrl);
    expect(postOf(requestId)(await held.taken)).toBe(true);
    await first.kill();

    const restarted = start('local/main.ts', dataDir);
    const url = await bannerUrl(restarted);
    expect(await approve(url, requestId)).toBe(200);
    await slack.waitFor(
      (call) =>
        call.method === 'chat.update' &&
        JSON.stringify(call.fields).includes('Approved by <@U0ALICE>') &&
        call.fields.ts === slack.slack.messageFor(requestId)?.ts,
    );
    expect(slack.calls.filter(postOf(requestId))).toHaveLength(1);
    expect(slack.slack.messages.filter((m) => JSON.stringify(m.history).includes(requestId))).toHaveLength(1);
    expect((await poll(url, requestId)).status).toBe(200);
    held.release();
  }, 120_000);
});
