import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { printed } from '../helpers/wait';
import { eventually, slackMessage, startTestRuntime, testConfig } from '../integration/support';

const AUDIENCE = 'aws:prod-data';
const ROLE = 'arn:aws:iam::123456789012:role/stepup-prod-data';
const TABLE = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders-legacy';
const BIN = resolve(__dirname, '../../bin/stepup.cjs');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real binary, `node bin/stepup.cjs …`, with `stdin` as its input. */
function stepup(args: string[], env: Record<string, string>, stdin = ''): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
  child.stdin.end(stdin);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, reject) => {
    child.on('error', reject);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const DELETE_TABLE = [
  '--action',
  'dynamodb:DeleteTable',
  '--resource',
  TABLE,
  '--audience',
  AUDIENCE,
  '--reason',
  'the migration finished; the legacy table is unused',
];

describe('stepup credentials aws against the local runtime (STS stand-in)', () => {
  let runtime: LocalRuntime;
  let stateDir: string;
  /** State directories of other machines (no cache), removed after the tests. */
  const otherStateDirs: string[] = [];
  const freshStateDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepup-state-'));
    otherStateDirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    runtime = await startTestRuntime(
      testConfig({ awsTargets: { [AUDIENCE]: { roleArn: ROLE, actions: ['dynamodb:DeleteTable'] } } }),
    );
    stateDir = mkdtempSync(join(tmpdir(), 'stepup-state-'));
  });
  afterAll(async () => {
    await runtime?.stop();
    for (const dir of [stateDir, ...otherStateDirs]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const envFor = async (agent: string) => ({
    STEPUP_URL: runtime.url,
    STEPUP_TOKEN: await runtime.devToken(agent),
    STEPUP_STATE_DIR: stateDir,
  });

  /** An approved DeleteTable request of `agent`, its token not collected yet. */
  async function approvedRequest(env: Record<string, string>): Promise<string> {
    const made = await stepup(['request', ...DELETE_TABLE], env);
    expect(made.code).toBe(0);
    const id = made.stdout.trim();
    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
    // Decided before the next request: an identical one would otherwise join it (`limits.deduplicate`).
    await eventually(async () => ((await runtime.store.get(id))?.status === 'APPROVED' ? true : undefined));
    return id;
  }

  /** The access key ids of the request's `credentials_issued` audit events. */
  async function issuedKeys(id: string): Promise<unknown[]> {
    const request = await runtime.store.get(id);
    return request!.events.filter((e) => e.type === 'credentials_issued').map((e) => e.detail?.access_key_id);
  }

  it('credential-process: prints exactly the AWS credential_process JSON, and the same again from its 0600 cache', async () => {
    const env = await envFor('cli-aws-process-bot');
    const id = await approvedRequest(env);
    const run = await stepup(['credentials', 'aws', id, '--format', 'credential-process'], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('approved by U0ALICE');
    const printedJson = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(printedJson)).toEqual([
      'Version',
      'AccessKeyId',
      'SecretAccessKey',
      'SessionToken',
      'Expiration',
    ]);
    expect(printedJson).toMatchObject({
      Version: 1,
      AccessKeyId: expect.stringMatching(/^ASIA[A-Z0-9]{16}$/),
      SecretAccessKey: expect.any(String),
      SessionToken: expect.any(String),
    });
    expect(Date.parse(printedJson.Expiration as string)).toBeGreaterThan(Date.now());
    expect(await issuedKeys(id)).toEqual([printedJson.AccessKeyId]);

    const cacheFile = join(stateDir, 'aws-credentials', `${id}.json`);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(stateDir, 'aws-credentials')).mode & 0o777).toBe(0o700);

    // The SDK runs credential_process again (a new process, a refresh): same credentials, no second exchange.
    const again = await stepup(['credentials', 'aws', id, '--format', 'credential-process'], env);
    expect(again).toMatchObject({ code: 0, stdout: run.stdout });
    expect(await issuedKeys(id)).toHaveLength(1);
  });

  it('an ~/.aws/config profile with credential_process gives the AWS SDK those credentials, concurrently too', async () => {
    const env = await envFor('cli-aws-profile-bot');
    const id = await approvedRequest(env);
    const configFile = join(stateDir, `aws-config-${id}`);
    writeFileSync(
      configFile,
      `[profile stepup]\ncredential_process = "${process.execPath}" "${BIN}" credentials aws ${id} --format credential-process\n`,
    );
    const saved = { ...process.env };
    Object.assign(process.env, env, { AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: configFile });
    try {
      // Two SDK clients resolving at once run two credential_process commands for one single-use token.
      const clients = [1, 2].map(() => new DynamoDBClient({ profile: 'stepup', region: 'eu-west-1' }));
      const [first, second] = await Promise.all(clients.map((client) => client.config.credentials()));
      clients.forEach((client) => client.destroy());
      expect(first).toMatchObject({
        accessKeyId: expect.stringMatching(/^ASIA/),
        sessionToken: expect.any(String),
        expiration: expect.any(Date),
      });
      expect(second!.accessKeyId).toBe(first!.accessKeyId);
      expect(await issuedKeys(id)).toEqual([first!.accessKeyId]);
    } finally {
      process.env = saved;
    }
  });

  it('env and json formats; a token collected by request --wait is exchanged from stdin', async () => {
    const env = await envFor('cli-aws-stdin-bot');
    const waiting = spawn(process.execPath, [BIN, 'request', ...DELETE_TABLE, '--wait', '--json'], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    waiting.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const closed = new Promise((done) => waiting.on('close', done));
    const [, id] = await printed(waiting.stderr, /^requested (\S+):/m);
    await slackMessage(runtime, id!);
    await runtime.click({ requestId: id!, user: 'U0BOB', decision: 'approve' });
    await closed;
    const { access_token: token } = JSON.parse(stdout) as { access_token: string };

    const exported = await stepup(['credentials', 'aws', id!, '--subject-token-stdin'], env, `${token}\n`);
    expect(exported.code).toBe(0);
    const [key] = (await issuedKeys(id!)) as string[];
    expect(exported.stdout.split('\n')).toEqual([
      `export AWS_ACCESS_KEY_ID='${key}'`,
      expect.stringMatching(/^export AWS_SECRET_ACCESS_KEY='[^']+'$/),
      expect.stringMatching(/^export AWS_SESSION_TOKEN='[^']+'$/),
      expect.stringMatching(/^export AWS_CREDENTIAL_EXPIRATION='\d{4}-\d\d-\d\dT[\d:.]+Z'$/),
      "export AWS_REGION='eu-west-1'",
      '',
    ]);
    const json = await stepup(['credentials', 'aws', id!, '--format', 'json'], env);
    expect(JSON.parse(json.stdout)).toEqual({
      access_key_id: key,
      secret_access_key: expect.any(String),
      session_token: expect.any(String),
      expiration: expect.any(String),
      region: 'eu-west-1',
    });
  });

  it('refuses what it cannot exchange: a spent token, a token for another request, a denial, a non-AWS audience', async () => {
    const env = await envFor('cli-aws-refused-bot');
    const id = await approvedRequest(env);
    const waited = await stepup(['wait', id], env);
    const token = waited.stdout.trim();
    const emptyState = { ...env, STEPUP_STATE_DIR: freshStateDir() };
    expect((await stepup(['credentials', 'aws', id, '--subject-token-stdin'], emptyState, token)).code).toBe(
      0,
    );

    // Another machine (no cache) with the spent token: refused by stepup, nothing printed.
    const spent = await stepup(
      ['credentials', 'aws', id, '--subject-token-stdin'],
      { ...env, STEPUP_STATE_DIR: freshStateDir() },
      token,
    );
    expect(spent).toMatchObject({ code: 1, stdout: '' });
    expect(spent.stderr).toContain('exchanged once');

    const other = await approvedRequest(env);
    const mismatch = await stepup(['credentials', 'aws', other, '--subject-token-stdin'], env, token);
    expect(mismatch).toMatchObject({ code: 64, stdout: '' });
    expect(mismatch.stderr).toContain(`not a stepup token for request ${other} (it is for ${id})`);

    const denied = await stepup(['request', ...DELETE_TABLE], env);
    const deniedId = denied.stdout.trim();
    await slackMessage(runtime, deniedId);
    await runtime.click({ requestId: deniedId, user: 'U0BOB', decision: 'deny' });
    const refused = await stepup(['credentials', 'aws', deniedId], env);
    expect(refused).toMatchObject({ code: 2, stdout: '' });

    const notAws = await stepup(
      [
        'request',
        '--action',
        'db:DropTable',
        '--resource',
        'prod/orders',
        '--audience',
        'orders-db',
        '--reason',
        'x',
      ],
      env,
    );
    const notAwsId = notAws.stdout.trim();
    await slackMessage(runtime, notAwsId);
    await runtime.click({ requestId: notAwsId, user: 'U0ALICE', decision: 'approve' });
    const invalidTarget = await stepup(['credentials', 'aws', notAwsId], env);
    expect(invalidTarget).toMatchObject({ code: 1, stdout: '' });
    expect(invalidTarget.stderr).toContain('invalid_target');
    expect(readdirSync(join(stateDir, 'aws-credentials'))).not.toContain(`${notAwsId}.json`);

    const usage = await stepup(['credentials', 'aws', id, '--format', 'yaml'], env);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toContain('--format takes env, json, credential-process');
  });
});
