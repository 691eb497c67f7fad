import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printed } from '../helpers/wait';
import { requestDropTableAsDevAgent } from './dev-agent';

const run = promisify(execFile);

/** Starts `npm start` as a user would (in memory, on a free port) and waits for its banner. */
function startService(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn('npm', ['start', '--', ...args], {
    env: { ...process.env, LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`))),
  );
  // Up when the banner's last line is printed, however long synthesizing takes on a busy machine.
  return Promise.race([printed(child.stdout!, /Press Ctrl\+C to stop\./), exited]).then(() => ({
    child,
    output: () => output,
  }));
}

function stop(child: ChildProcess | undefined): void {
  // npm runs tsx in its own process group; end the whole group this test started.
  if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
}

describe('npm start, tried as a new user would', () => {
  let service: { child: ChildProcess; output: () => string } | undefined;

  beforeAll(async () => {
    service = await startService(['--memory', '--port', '0']);
  });
  afterAll(() => stop(service?.child));

  it('answers GET /health at the printed URL', async () => {
    const url = /API\s+(http:\/\/127\.0\.0\.1:\d+)\/v1\/requests/.exec(service!.output())?.[1];
    expect(url).toBeDefined();
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('the printed copy-paste example ends with a token', async () => {
    const banner = service!.output();
    const example = banner.slice(
      banner.indexOf('Try it (copy-paste):') + 'Try it (copy-paste):'.length,
      banner.indexOf('(team'),
    );
    const script = `set -euo pipefail\n${example}`;
    // The click returns before the workflow has issued the grant; a user polls at `interval`, this
    // waits for the grant in the audit trail instead, however long that takes.
    const lines = script.trim().split('\n');
    const poll = lines.pop()!;
    const base = /API\s+(http:\/\/127\.0\.0\.1:\d+)\/v1\/requests/.exec(banner)![1]!;
    const granted = `until curl -s ${base}/v1/requests/$REQ -H "authorization: Bearer $AGENT" | grep -q grant_issued; do sleep 0.1; done`;
    const { stdout } = await run('bash', ['-c', `${lines.join('\n')}\n${granted}\n${poll}`]);
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ token_type: 'Bearer', access_token: expect.stringMatching(/^ey/) });
  });
});

describe('npm start with a broken config', () => {
  it('exits non-zero and names the file and the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepup-config-'));
    const path = join(dir, 'stepup.config.json');
    writeFileSync(
      path,
      JSON.stringify({
        slack: { teamId: 'T0X' },
        auth: { issuer: 'https://x', audience: 'stepup' },
        approverGroups: {},
        defaults: {},
      }),
    );
    const result = await run('npm', ['start', '--', '--memory', '--port', '0'], {
      env: { ...process.env, STEPUP_CONFIG: path },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(path);
    expect(result.stderr).toContain('approverGroups');
  });
});

describe("npm start with a team's own config and policies", () => {
  let service: { child: ChildProcess; output: () => string } | undefined;
  afterAll(() => stop(service?.child));

  it('STEPUP_CONFIG and STEPUP_POLICIES with none of the example groups: starts and pages the team', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepup-team-'));
    const config = join(dir, 'team.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        slack: { teamId: 'T0TEAM' },
        auth: { issuer: 'https://oidc.team.example', audience: 'stepup' },
        approverGroups: { 'team-dba': { members: ['U0TEAMA', 'U0TEAMB'], channel: 'C0TEAMDB' } },
        defaults: { approvers: 'team-dba' },
      }),
    );
    const policies = join(dir, 'team-policies');
    mkdirSync(policies);
    copyFileSync(resolve(__dirname, '../../policies/stepup.cedarschema'), join(policies, 'team.cedarschema'));
    writeFileSync(
      join(policies, 'team.cedar'),
      '@id("team-drop-table")\n@approvers("team-dba")\n' +
        'permit (principal, action == Action::"db:DropTable", resource) when { context.approved };\n',
    );

    service = await startService(['--memory', '--port', '0'], {
      STEPUP_CONFIG: config,
      STEPUP_POLICIES: policies,
    });
    const base = /API\s+(http:\/\/127\.0\.0\.1:\d+)\/v1\/requests/.exec(service.output())![1]!;
    const created = await requestDropTableAsDevAgent(base, 'team-bot', 'cleanup');
    expect(created.status).toBe(202);
    expect(await created.json()).toMatchObject({ status: 'pending' });
  });
});
