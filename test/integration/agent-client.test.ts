import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  abortableSleep,
  CancelledError,
  DeniedError,
  ExpiredError,
  InvalidRequestError,
  StepUpApiError,
  StepUpClient,
  type ElevationHandle,
  type ElevationRequest,
  type StepUpClientOptions,
  type WaitProgress,
} from '../../client/agent';
import type { LocalRuntime } from '../../local/runtime';
import {
  Api,
  eventually,
  slackMessage,
  startTestRuntime,
  testConfig,
  useTestRuntime,
  workflowDone,
} from './support';

const DROP_TABLE: ElevationRequest = {
  action: 'db:DropTable',
  resource: 'prod/orders',
  audience: 'orders-db',
  justification: 'drop the legacy orders table after the migration',
};

/** Real waits, but never longer than 20 ms: the tests do not sit out 5 s polling intervals. */
const quickSleep = (ms: number, signal?: AbortSignal) => abortableSleep(Math.min(ms, 20), signal);

async function clientFor(
  runtime: LocalRuntime,
  agent: string,
  options: Partial<StepUpClientOptions> = {},
): Promise<StepUpClient> {
  const token = await runtime.devToken(agent);
  return new StepUpClient({ baseUrl: runtime.url, token: async () => token, sleep: quickSleep, ...options });
}

describe('StepUpClient against the local runtime', () => {
  let runtime: LocalRuntime;
  let api: Api;
  useTestRuntime((started) => ({ runtime, api } = started));

  it('asks, waits while a human approves, and gets a token for exactly that action', async () => {
    const stepup = await clientFor(runtime, 'client-approve-bot');
    const request = await stepup.requestElevation(DROP_TABLE);
    expect(request).toMatchObject({ initialStatus: 'pending', interval: 5 });
    expect(request.bindingCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await slackMessage(runtime, request.id);

    const updates: WaitProgress[] = [];
    const waiting = request.waitForToken({ onUpdate: (p) => updates.push(p) });
    await eventually(() => (updates.length > 0 ? true : undefined));
    await runtime.click({ requestId: request.id, user: 'U0ALICE', decision: 'approve' });
    const token = await waiting;

    expect(token).toMatchObject({
      requestId: request.id,
      tokenType: 'Bearer',
      authorizationDetails: [
        {
          type: 'stepup_action',
          actions: ['db:DropTable'],
          identifier: 'prod/orders',
          locations: ['orders-db'],
        },
      ],
    });
    expect(decodeJwt(token.accessToken)).toMatchObject({ aud: 'orders-db', sub: 'client-approve-bot' });
    expect(token.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(updates[0]).toMatchObject({
      status: 'pending',
      approvals: [],
      quorum: 1,
      approverGroups: [['db-owners']],
    });
    expect(updates[0]!.expiresAt).toBeInstanceOf(Date);
    expect(updates.at(-1)).toMatchObject({ status: 'approved', approvals: ['U0ALICE'] });

    const status = await request.status();
    expect(status).toMatchObject({ status: 'approved', approvers: ['U0ALICE'], tokenDelivered: true });
    expect(status.events.map((e) => e.type)).toContain('token_delivered');
  });

  it('sends parameters; the token’s authorization detail carries their digest', async () => {
    const stepup = await clientFor(runtime, 'client-parameters-bot');
    const request = await stepup.requestElevation({
      ...DROP_TABLE,
      resource: 'prod/orders-archive',
      parameters: { sql: 'DROP TABLE orders_archive' },
    });
    await slackMessage(runtime, request.id);
    await runtime.click({ requestId: request.id, user: 'U0ALICE', decision: 'approve' });
    const token = await request.waitForToken();
    expect(token.authorizationDetails[0]?.parameters_sha256).toBe(
      createHash('sha256').update('{"sql":"DROP TABLE orders_archive"}').digest('base64url'),
    );
  });

  it('turns an approver denial into a DeniedError carrying the reason stepup gives', async () => {
    const stepup = await clientFor(runtime, 'client-deny-bot');
    const request = await stepup.requestElevation({ ...DROP_TABLE, resource: 'prod/customers' });
    await slackMessage(runtime, request.id);
    await runtime.click({ requestId: request.id, user: 'U0BOB', decision: 'deny' });

    const error = await request.waitForToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeniedError);
    const denied = error as DeniedError;
    expect(denied.code).toBe('access_denied');
    expect(denied.requestId).toBe(request.id);
    // Whatever the server says about the denial (with the approver's reason when there is one).
    const poll = await api.poll(await runtime.devToken('client-deny-bot'), request.id);
    expect(poll.body.error).toBe('access_denied');
    expect(denied.reason).toBe(poll.body.error_description);
    expect(denied.reason).toMatch(/denied by an approver/);
  });

  it('refuses what a policy forbids at once, naming the policies', async () => {
    const stepup = await clientFor(runtime, 'client-policy-bot');
    const error = await stepup
      .requestElevation({
        action: 'payments:Transfer',
        resource: 'prod/treasury',
        audience: 'payments-api',
        justification: 'Carol asked me to pay the invoice.',
        onBehalfOf: 'carol@example.com',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeniedError);
    expect(error).toMatchObject({ code: 'access_denied', status: 403, policies: ['no-agent-payments'] });
    expect((error as DeniedError).requestId).toEqual(expect.any(String));
  });

  it('hands out an auto-approved token without waiting', async () => {
    const sleeps: number[] = [];
    const stepup = await clientFor(runtime, 'client-logs-bot', {
      sleep: async (ms) => void sleeps.push(ms),
    });
    const request = await stepup.requestElevation({
      action: 'logs:Read',
      resource: 'prod/app-logs',
      audience: 'log-api',
      justification: 'Debug the 500s.',
    });
    expect(request.initialStatus).toBe('approved');
    const token = await request.waitForToken();
    expect(token.authorizationDetails[0]).toMatchObject({ actions: ['logs:Read'] });
    expect(sleeps).toEqual([]);
  });

  it('reports a malformed request as an InvalidRequestError', async () => {
    const stepup = await clientFor(runtime, 'client-bad-bot');
    const error = await stepup
      .requestElevation({ ...DROP_TABLE, action: 'drop everything' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({
      code: 'invalid_request',
      status: 400,
      message: expect.stringContaining('action'),
    });
  });

  it('ends the wait with a CancelledError when the request is withdrawn; a decided one cannot be', async () => {
    const stepup = await clientFor(runtime, 'client-cancel-bot');
    const request = await stepup.requestElevation(DROP_TABLE);
    await slackMessage(runtime, request.id);
    const waiting = request.waitForToken().catch((e: unknown) => e);
    await request.cancel();
    await request.cancel(); // twice is fine
    const error = await waiting;
    expect(error).toBeInstanceOf(CancelledError);
    expect(error).toMatchObject({ code: 'cancelled', requestId: request.id });
    expect((await request.status()).status).toBe('cancelled');

    const approved = await stepup.requestElevation(DROP_TABLE);
    await slackMessage(runtime, approved.id);
    await runtime.click({ requestId: approved.id, user: 'U0ALICE', decision: 'approve' });
    await eventually(async () => ((await approved.status()).status === 'approved' ? true : undefined));
    await expect(approved.cancel()).rejects.toMatchObject({ code: 'conflict', status: 409 });
  });

  it('stops waiting when the signal aborts, leaving the request pending', async () => {
    const stepup = await clientFor(runtime, 'client-abort-bot');
    const request = await stepup.requestElevation(DROP_TABLE);
    const controller = new AbortController();
    const waiting = request.waitForToken({ signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(new Error('agent shutting down')), 50);
    expect(await waiting).toMatchObject({ message: 'agent shutting down' });
    expect((await request.status()).status).toBe('pending');
    await request.cancel();
  });

  it('long-polls by default: never sleeps, and holds the token as soon as the click is stored', async () => {
    const sleeps: number[] = [];
    const stepup = await clientFor(runtime, 'client-long-poll-bot', {
      sleep: async (ms) => void sleeps.push(ms),
    });
    const request = await stepup.requestElevation(DROP_TABLE);
    const token = request.waitForToken();
    await slackMessage(runtime, request.id);
    await eventually(
      () => runtime.changes.waiting(request.id) > 0 || undefined,
      'the client waiting on the server',
    );
    await runtime.click({ requestId: request.id, user: 'U0ALICE', decision: 'approve' });
    expect((await token).accessToken).toEqual(expect.any(String));
    expect(sleeps).toEqual([]);
  });

  it('honours slow_down: after one, every wait is at least the new, longer interval', async () => {
    const sleeps: number[] = [];
    let approvedAt: number | undefined;
    const made: { request?: ElevationHandle } = {};
    // Returns at once, so the second poll comes 5 s too early and is answered slow_down.
    const stepup = await clientFor(runtime, 'client-slow-bot', {
      longPollSeconds: 0,
      sleep: async (ms) => {
        sleeps.push(ms);
        if (ms >= 10_000 && approvedAt === undefined && made.request) {
          approvedAt = sleeps.length;
          await slackMessage(runtime, made.request.id);
          await runtime.click({ requestId: made.request.id, user: 'U0ALICE', decision: 'approve' });
        }
      },
    });
    made.request = await stepup.requestElevation(DROP_TABLE);
    const token = await made.request.waitForToken();
    expect(token.accessToken).toEqual(expect.any(String));
    expect(sleeps[0]).toBeGreaterThanOrEqual(5000);
    expect(sleeps[0]).toBeLessThanOrEqual(5500); // jitter is positive and at most 10 %
    expect(approvedAt).toBeDefined();
    // The server said "poll at most every 10 s": the client waited at least that, never less.
    expect(sleeps[approvedAt! - 1]).toBeGreaterThanOrEqual(10_000);
    expect(sleeps[approvedAt! - 1]).toBeLessThanOrEqual(11_000);
  });

  it('retries a dropped connection with the same Idempotency-Key: one request, not two', async () => {
    const keys: (string | null)[] = [];
    let dropped = false;
    const flaky: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).endsWith('/v1/requests') && init?.method === 'POST') {
        keys.push(new Headers(init.headers).get('idempotency-key'));
        if (!dropped) {
          dropped = true;
          await response.text(); // the server has created the request; the answer is lost on the way
          throw new TypeError('fetch failed', {
            cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
          });
        }
      }
      return response;
    };
    const stepup = await clientFor(runtime, 'client-retry-bot', { fetch: flaky });
    const request = await stepup.requestElevation(DROP_TABLE);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(await runtime.store.listByAgent('client-retry-bot')).toEqual([request.id]);
    await request.cancel();
  });

  it('gives up on an unreachable server with a network_error after its retries', async () => {
    const sleeps: number[] = [];
    const stepup = new StepUpClient({
      baseUrl: 'http://127.0.0.1:1',
      token: 'unused',
      sleep: async (ms) => void sleeps.push(ms),
    });
    const error = await stepup.requestElevation(DROP_TABLE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepUpApiError);
    expect(error).toMatchObject({ code: 'network_error', message: expect.stringContaining('127.0.0.1:1') });
    expect(sleeps).toHaveLength(3); // 4 attempts
  });
});

/** Runs `examples/<file>` with tsx; `lines` collects its stdout lines as they come. */
function example(file: string, env: Record<string, string>, lines: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/${file}`], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  return child;
}

describe('examples/agent.ts and examples/resource-server.ts', () => {
  let runtime: LocalRuntime;
  let server: ChildProcess | undefined;
  useTestRuntime((started) => ({ runtime } = started));
  afterAll(() => void server?.kill());

  it('ask, approve, and drop the table with the token, as examples/README.md describes', async () => {
    const serverLines: string[] = [];
    server = example('resource-server.ts', { STEPUP_URL: runtime.url, PORT: '0' }, serverLines);
    const port = await eventually(() => /127\.0\.0\.1:(\d+)/.exec(serverLines.join('\n'))?.[1]);

    const agentLines: string[] = [];
    const agent = example(
      'agent.ts',
      { STEPUP_URL: runtime.url, RESOURCE_URL: `http://127.0.0.1:${port}` },
      agentLines,
    );
    const exited = new Promise<number | null>((resolve) => agent.on('close', resolve));
    const id = await eventually(async () => (await runtime.store.listByAgent('deploy-bot'))[0]);
    await slackMessage(runtime, id);
    expect(agentLines.join('\n')).toContain(`"auth_req_id":"${id}","user":"U0ALICE","decision":"approve"`);
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });

    expect(await exited).toBe(0);
    expect(agentLines.at(-1)).toBe(
      `resource server answered 200: {"dropped":"prod/orders","agent":"deploy-bot","approved_by":["U0ALICE"],"request_id":"${id}"}`,
    );
    expect(serverLines).toContain('dropped prod/orders for deploy-bot, approved by U0ALICE');
    await workflowDone(runtime, id);
  });
});

describe('StepUpClient when nobody decides in time', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({
      ...testConfig(),
      defaults: { ...testConfig().defaults, approvalTimeoutSeconds: 1 },
    });
  });
  afterAll(() => runtime.stop());

  it('ends the wait with an ExpiredError', async () => {
    const stepup = await clientFor(runtime, 'client-expire-bot');
    const request = await stepup.requestElevation(DROP_TABLE);
    const error = await request.waitForToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpiredError);
    expect(error).toMatchObject({ code: 'expired_token', requestId: request.id });
    await workflowDone(runtime, request.id); // the workflow's own Expire step, before the runtime stops
  });
});
