import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { printed } from '../helpers/wait';
import { Api, slackMessage, startTestRuntime, testConfig } from '../integration/support';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running `stepup` process: its output as it is printed, and its result once it exits. */
interface Started {
  readonly child: ChildProcessWithoutNullStreams;
  readonly done: Promise<Run>;
}

/** Starts the real binary, `node bin/stepup.cjs …`, as a child process. */
function start(args: string[], env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['bin/stepup.cjs', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

/** Runs the real binary to the end. */
function stepup(args: string[], env: Record<string, string>): Promise<Run> {
  return start(args, env).done;
}

const REQUEST = [
  'request',
  '--action',
  'db:DropTable',
  '--resource',
  'prod/orders',
  '--audience',
  'orders-db',
  '--reason',
  'drop the legacy orders table after the migration',
];

/** The request a running `stepup request --wait` made, once the CLI printed it and its approvers were paged. */
async function requestOf(runtime: LocalRuntime, started: Started): Promise<string> {
  const [, id] = await printed(started.child.stderr, /^requested (\S+):/m);
  await slackMessage(runtime, id!);
  return id!;
}

describe('the stepup CLI against the local runtime', () => {
  let runtime: LocalRuntime;
  let api: Api;
  const envFor = async (agent: string) => ({
    STEPUP_URL: runtime.url,
    STEPUP_TOKEN: await runtime.devToken(agent),
  });

  beforeAll(async () => {
    runtime = await startTestRuntime();
    api = new Api(runtime);
  });
  afterAll(() => runtime?.stop());

  it('dev token prints a workload JWT for the given sub', async () => {
    const run = await stepup(['dev', 'token', '--sub', 'cli-dev-bot'], { STEPUP_URL: runtime.url });
    expect(run.code).toBe(0);
    expect(decodeJwt(run.stdout.trim())).toMatchObject({ sub: 'cli-dev-bot' });
  });

  it('request without --wait prints the id on stdout; status shows it; cancel withdraws it', async () => {
    const env = await envFor('cli-nowait-bot');
    const run = await stepup(REQUEST, env);
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    expect(id).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    expect(run.stderr).toContain(`binding code ${(await runtime.store.get(id))!.bindingCode}`);
    expect(run.stderr).toContain(`stepup wait ${id}`);

    await slackMessage(runtime, id);
    const status = await stepup(['status', id], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`${id}  pending`);
    expect(status.stdout).toContain('approvals: 0/1 from db-owners');
    expect(status.stdout).toMatch(/requested {2}agent:cli-nowait-bot/);
    const json = await stepup(['status', id, '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      auth_req_id: id,
      status: 'pending',
      requirements: { quorum: 1, approver_groups: [['db-owners']], policies: ['drop-prod-table'] },
    });

    const cancel = await stepup(['cancel', id], env);
    expect(cancel).toMatchObject({ code: 0, stdout: '' });
    expect(cancel.stderr).toContain(`cancelled ${id}`);
    expect((await stepup(['status', id], env)).stdout).toContain(`${id}  cancelled`);
  });

  it.concurrent(
    'request --wait exits 0 when approved, printing only the token on stdout',
    async ({ expect }) => {
      const env = await envFor('cli-approve-bot');
      const waiting = start([...REQUEST, '--wait'], env);
      const id = await requestOf(runtime, waiting);
      await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
      const run = await waiting.done;
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
      expect(decodeJwt(run.stdout.trim())).toMatchObject({ aud: 'orders-db', approval: { request_id: id } });
      expect(run.stderr).toContain(`requested ${id}`);
      expect(run.stderr).toContain('waiting for 1 approval(s) from db-owners');
      expect(run.stderr).toContain('approved by U0ALICE');
      expect(run.stderr).not.toContain('\r');
      const introspection = await api.introspect(await runtime.devToken('orders-db'), run.stdout.trim());
      expect(introspection.body.active).toBe(true);
    },
  );

  it.concurrent('request --wait exits 2 when denied (--json: the denial on stdout)', async ({ expect }) => {
    const env = await envFor('cli-deny-bot');
    const waiting = start([...REQUEST, '--wait', '--json'], env);
    const id = await requestOf(runtime, waiting);
    await runtime.click({ requestId: id, user: 'U0BOB', decision: 'deny' });
    const run = await waiting.done;
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({
      auth_req_id: id,
      status: 'denied',
      error: 'access_denied',
      error_description: expect.stringContaining('denied by an approver'),
    });
    expect(run.stderr).toMatch(/^denied by an approver/m);
  });

  it.concurrent('request --wait exits 4 when the request is cancelled from elsewhere', async ({ expect }) => {
    const env = await envFor('cli-cancel-bot');
    const waiting = start([...REQUEST, '--wait'], env);
    const id = await requestOf(runtime, waiting);
    expect((await stepup(['cancel', id], env)).code).toBe(0);
    const run = await waiting.done;
    expect(run.code).toBe(4);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`cancelled: request ${id} was withdrawn`);
    const again = await stepup(['wait', id], env);
    expect(again.code).toBe(4);
  });

  it('exits 2 at once when a policy forbids the action, naming the policy', async () => {
    const run = await stepup(
      [
        'request',
        '--action',
        'payments:Transfer',
        '--resource',
        'prod/treasury',
        '--audience',
        'payments-api',
        '--reason',
        'Carol asked me to pay the invoice.',
        '--on-behalf-of',
        'carol@example.com',
        '--wait',
      ],
      await envFor('cli-policy-bot'),
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('policies: no-agent-payments');
  });

  it('wait ID collects an auto-approved token', async () => {
    const env = await envFor('cli-logs-bot');
    const request = await stepup(
      [
        'request',
        '--action',
        'logs:Read',
        '--resource',
        'prod/app-logs',
        '--audience',
        'log-api',
        '--reason',
        'Debug the 500s.',
        '--json',
      ],
      env,
    );
    const created = JSON.parse(request.stdout) as { auth_req_id: string; status: string };
    expect(created.status).toBe('approved');
    const run = await stepup(['wait', created.auth_req_id, '--json'], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      auth_req_id: created.auth_req_id,
      status: 'approved',
      token_type: 'Bearer',
      access_token: expect.any(String),
    });
  });

  it('request --parameters binds the exact arguments, inline or from @file', async () => {
    const env = await envFor('cli-parameters-bot');
    const file = join(mkdtempSync(join(tmpdir(), 'stepup-cli-')), 'drop.json');
    writeFileSync(file, '{ "sql": "DROP TABLE orders" }');
    for (const given of [file.replace(/^/, '@'), '{"sql":"DROP TABLE orders"}']) {
      const run = await stepup([...REQUEST, '--parameters', given, '--json'], env);
      expect(run.code).toBe(0);
      const { auth_req_id } = JSON.parse(run.stdout) as { auth_req_id: string };
      const view = await api.get(`/v1/requests/${auth_req_id}`, env.STEPUP_TOKEN);
      expect(view.body).toMatchObject({
        parameters: { sql: 'DROP TABLE orders' },
        parameters_sha256: createHash('sha256').update('{"sql":"DROP TABLE orders"}').digest('base64url'),
      });
    }
    for (const bad of ['[1]', 'not json', '@/no/such/file.json']) {
      const run = await stepup([...REQUEST, '--parameters', bad], env);
      expect(run.code).toBe(64);
      expect(run.stderr).toContain('--parameters');
    }
  });

  it('exits 64 with the usage for a usage mistake, or without a workload token; 1 for an unknown id', async () => {
    const env = await envFor('cli-usage-bot');
    const missing = await stepup(['request', '--action', 'db:DropTable'], env);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('--reason is required');
    expect(missing.stderr).toContain('usage:');
    const noToken = await stepup(REQUEST, { STEPUP_URL: runtime.url });
    expect(noToken.code).toBe(64);
    expect(noToken.stderr).toContain('STEPUP_TOKEN');
    expect((await stepup(['frobnicate'], env)).code).toBe(64);
    const unknown = await stepup(['status', 'no-such-request'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('not_found');
  });
});

describe('the stepup CLI when nobody decides in time', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({
      ...testConfig(),
      defaults: { ...testConfig().defaults, approvalTimeoutSeconds: 1 },
    });
  });
  afterAll(() => runtime?.stop());

  it('request --wait exits 3 when the request expires', async () => {
    const run = await stepup([...REQUEST, '--wait'], {
      STEPUP_URL: runtime.url,
      STEPUP_TOKEN: await runtime.devToken('cli-expire-bot'),
    });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('expired:');
  });
});
