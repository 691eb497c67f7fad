/**
 * The slimmed Slack ingress bundle still works: the handler is built exactly as the construct builds
 * it (Bolt's never-loaded packages aliased to stubs), loaded from the built file, and driven with
 * signed `block_actions` clicks against a real DynamoDbRequestStore on dynalite and a Slack Web API
 * stand-in. Sizes are measured by `npm run bench:bundles`, not here.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join, relative, sep } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent, HttpResult } from '../../lambdas/adapters/api-gateway/http-event';
import type { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import { BUNDLE_STUB_ERROR_CODE } from '../../lambdas/adapters/bundle-stubs/unavailable';
import type { slackEventsHandler as SlackEventsHandlerFactory } from '../../lambdas/handlers/slack-events';
import { SLACK_BUNDLE_STUBS, SLACK_BUNDLE_STUBS_DIR, SLACK_INGRESS_HANDLER } from '../../lib/slack-bundling';
import { PROJECT_ROOT } from '../../lib/step-up-function';
import { slackSignatureHeaders } from '../../local/slack-signature';
import { SlackStandIn } from '../../local/slack-stand-in';
import {
  ALICE,
  CHANNEL,
  fixedClock,
  MALLORY,
  pendingRequest,
  RecordingWorkflow,
  TEAM,
  testConfig,
  useDynaliteStore,
} from '../unit/support/fixtures';
import { buildHandlerBundle } from './handler-bundle';

const SIGNING_SECRET = 'test-signing-secret';
const BOT_TOKEN = 'xoxb-test-bot-token';

/** Under the project, so the bundle's external `@aws-sdk/*` requires resolve from node_modules. */
const CACHE = join(PROJECT_ROOT, 'node_modules', '.cache');

let store: DynamoDbRequestStore;
useDynaliteStore((s) => (store = s));

let outdir: string;
let metafile: Metafile;
let handle: (event: HttpEvent) => Promise<HttpResult>;
let slack: SlackStandIn;
let slackServer: Server;
const workflow = new RecordingWorkflow();
const now = new Date();

/** A Slack Web API stand-in over HTTP, as `@slack/web-api` in the bundle calls it. */
async function startSlackStandIn(standIn: SlackStandIn): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const fields = request.headers['content-type']?.includes('json')
        ? (JSON.parse(raw) as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(raw));
      const method = (request.url ?? '').split('?')[0]!.replace(/^\/api\//, '');
      const result = standIn.handleApiCall(method, request.headers.authorization, fields);
      response.writeHead(result.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(result.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/` };
}

/** The API Gateway v2 event Slack's POST to /slack/events becomes. */
function slackEvent(body: string, headers: Record<string, string>): HttpEvent {
  return {
    version: '2.0',
    routeKey: 'POST /slack/events',
    rawPath: '/slack/events',
    rawQueryString: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST', path: '/slack/events' } },
  } as unknown as HttpEvent;
}

/** A form-encoded `block_actions` click on the request's Approve or Deny button, as Slack sends it. */
function click(requestId: string, user: string, decision: 'approve' | 'deny'): string {
  const payload = {
    type: 'block_actions',
    team: { id: TEAM, domain: 'stepup-test' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM },
    api_app_id: 'A0STEPUPTEST',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: '1700000000.000001', channel_id: CHANNEL, is_ephemeral: false },
    trigger_id: '1700000000.1234',
    channel: { id: CHANNEL, name: 'approvals' },
    message: { type: 'message', ts: '1700000000.000001', text: 'approval', blocks: [] },
    response_url: 'https://hooks.slack.invalid/actions/test',
    actions: [
      {
        type: 'button',
        action_id: decision === 'approve' ? 'stepup_approve' : 'stepup_deny',
        block_id: 'stepup_decision',
        text: { type: 'plain_text', text: decision === 'approve' ? 'Approve' : 'Deny' },
        value: requestId,
        action_ts: `${now.getTime() / 1000}`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

const signed = (body: string, secret = SIGNING_SECRET) =>
  slackSignatureHeaders(secret, body, Math.floor(now.getTime() / 1000));

async function createPending(taskToken: string) {
  const request = pendingRequest({
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 900_000).toISOString(),
    taskToken,
  });
  await store.create(request);
  return request;
}

beforeAll(async () => {
  mkdirSync(CACHE, { recursive: true });
  outdir = mkdtempSync(join(CACHE, 'stepup-slack-bundle-'));
  metafile = buildHandlerBundle(SLACK_INGRESS_HANDLER, outdir);

  slack = new SlackStandIn(BOT_TOKEN, SIGNING_SECRET, TEAM);
  const standIn = await startSlackStandIn(slack);
  slackServer = standIn.server;

  // The built bundle, not the source: its `slackEventsHandler` factory runs with in-memory deps.
  const bundle = createRequire(join(outdir, 'index.js'))(join(outdir, 'index.js')) as {
    slackEventsHandler: typeof SlackEventsHandlerFactory;
  };
  handle = bundle.slackEventsHandler({
    credentials: async () => ({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN }),
    slackApiUrl: standIn.url,
    store,
    workflow,
    config: testConfig(),
    clock: fixedClock(now),
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => (slackServer ? slackServer.close(() => resolve()) : resolve()));
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('slim Slack ingress bundle', () => {
  it('stubs only packages that nothing but Bolt imports', () => {
    const stubFiles = Object.values(SLACK_BUNDLE_STUBS).map((file) => `${SLACK_BUNDLE_STUBS_DIR}/${file}`);
    const importersOf = (stub: string) =>
      Object.entries(metafile.inputs)
        .filter(([, input]) => input.imports.some((i) => i.path === stub))
        .map(([path]) => path);
    for (const stub of stubFiles) {
      const importers = importersOf(stub);
      expect(importers.length, stub).toBeGreaterThan(0);
      for (const importer of importers) expect(importer).toMatch(/node_modules\/@slack\/bolt\/dist\//);
    }
    const bundledPackages = Object.keys(metafile.inputs).join('\n');
    for (const pkg of Object.keys(SLACK_BUNDLE_STUBS)) {
      expect(bundledPackages).not.toContain(`node_modules/${pkg}/`);
    }
    expect(relative(PROJECT_ROOT, outdir).split(sep)[0]).toBe('node_modules');
  });

  it('records a correctly signed Approve click and resumes the workflow (200)', async () => {
    const request = await createPending('task-token-approve');
    const body = click(request.id, ALICE, 'approve');

    const response = await handle(slackEvent(body, signed(body)));

    expect(response.statusCode).toBe(200);
    expect(workflow.calls).toContainEqual({
      taskToken: 'task-token-approve',
      outcome: { decision: 'APPROVED' },
    });
    const stored = await store.get(request.id);
    expect(stored?.status).toBe('APPROVED');
    expect(stored?.votes.map((v) => v.user)).toEqual([ALICE]);
  });

  it('answers a refused click through the Web API client (200, private reply)', async () => {
    const request = await createPending('task-token-refused');
    const body = click(request.id, MALLORY, 'approve');

    const response = await handle(slackEvent(body, signed(body)));

    expect(response.statusCode).toBe(200);
    expect(slack.ephemerals).toContainEqual(expect.objectContaining({ channel: CHANNEL, user: MALLORY }));
    // Bolt is given the bot identity, so no click (in this whole file) costs an auth.test round trip.
    expect(slack.calls['chat.postEphemeral']).toBeGreaterThan(0);
    expect(slack.calls['auth.test']).toBeUndefined();
    expect((await store.get(request.id))?.status).toBe('PENDING');
    expect(workflow.calls.map((c) => c.taskToken)).not.toContain('task-token-refused');
  });

  it('rejects a click signed with another secret (401) and records nothing', async () => {
    const request = await createPending('task-token-forged');
    const body = click(request.id, ALICE, 'approve');

    const response = await handle(slackEvent(body, signed(body, 'not-the-signing-secret')));

    expect(response.statusCode).toBe(401);
    expect((await store.get(request.id))?.votes).toEqual([]);
    expect(workflow.calls.map((c) => c.taskToken)).not.toContain('task-token-forged');
  });
});

describe('bundle stubs', () => {
  it.each(Object.entries(SLACK_BUNDLE_STUBS))('%s throws a clear error if ever called', async (pkg, file) => {
    const stub = (await import(join(PROJECT_ROOT, SLACK_BUNDLE_STUBS_DIR, file))) as Record<
      string,
      new () => unknown
    >;
    const exports = Object.entries(stub);
    expect(exports.length).toBeGreaterThan(0);
    for (const [, fn] of exports) {
      expect(() => new fn()).toThrow(expect.objectContaining({ code: BUNDLE_STUB_ERROR_CODE }));
      expect(() => (fn as unknown as () => unknown)()).toThrow(pkg);
    }
  });
});
