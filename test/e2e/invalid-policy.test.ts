import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Runs a command and returns its exit code and output instead of throwing. */
async function attempt(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return run(command, args, { env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      output: error.stdout + error.stderr,
    }),
  );
}

describe('an invalid policy stops everything that would run it', () => {
  let dir: string;
  let line: number;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stepup-policies-'));
    copyFileSync('policies/stepup.cedarschema', join(dir, 'stepup.cedarschema'));
    const policies = readFileSync('policies/stepup.cedar', 'utf8').split('\n');
    // Reads an optional attribute without `has`: Cedar's strict validation rejects it.
    // The `when` clause of that policy, however many annotations precede it.
    const id = policies.findIndex((l) => l.includes('"drop-prod-table"'));
    line = policies.findIndex((l, i) => i > id && l.startsWith('when {')) + 1;
    policies[line - 1] = 'when { context.approved && context.on_behalf_of == Human::"x" };';
    writeFileSync(join(dir, 'stepup.cedar'), policies.join('\n'));
  });

  it('npm run synth exits non-zero naming the file and line', async () => {
    const result = await attempt('npm', ['run', 'synth'], { STEPUP_POLICIES: dir });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`stepup.cedar:${line}:`);
    expect(result.output).toContain('on_behalf_of');
  });

  it('npm start exits non-zero naming the file and line', async () => {
    const result = await attempt('npm', ['start', '--', '--memory', '--port', '0'], { STEPUP_POLICIES: dir });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`stepup.cedar:${line}:`);
  });

  it('stepup policy check exits 1 naming the file and line; the repo policies pass', async () => {
    const bad = await attempt('node', ['bin/stepup.cjs', 'policy', 'check', '--policies', dir], {});
    expect(bad.code).toBe(1);
    expect(bad.output).toContain(`stepup.cedar:${line}:`);
    const good = await attempt('node', ['bin/stepup.cjs', 'policy', 'check'], {});
    // One policy per permit/forbid statement of the repository's policy files.
    const statements = readdirSync('policies')
      .filter((file) => file.endsWith('.cedar'))
      .flatMap((file) => readFileSync(join('policies', file), 'utf8').match(/^(?:permit|forbid)\b/gm) ?? []);
    expect(good).toMatchObject({
      code: 0,
      output: expect.stringContaining(`ok: ${statements.length} policies`),
    });
  });
});

describe('stepup policy explain', () => {
  it('prints the decision, the determining policies with file:line, and the requirements', async () => {
    const result = await attempt(
      'node',
      [
        'bin/stepup.cjs',
        'policy',
        'explain',
        '--agent',
        'deploy-bot',
        '--action',
        'secrets:Rotate',
        '--resource',
        'prod/db-password',
      ],
      {},
    );
    expect(result.code).toBe(0);
    expect(result.output).toContain('decision: step-up');
    expect(result.output).toMatch(/policies: rotate-prod-secret \(policies\/stepup\.cedar:\d+\)/);
    expect(result.output).toContain('approvers: 2 distinct from security');
    expect(result.output).toContain('max token ttl: 120 s');
    expect(result.output).toContain('assurance: slack (a click in Slack)');
    expect(result.output).toMatch(/description: .+/);
  });

  it('shows the agent as policies see it: its registry name, team and owners', async () => {
    const explain = (agent: string, json: string[] = []) =>
      attempt(
        'node',
        ['bin/stepup.cjs', 'policy', 'explain', '--agent', agent, '--action', 'db:RestoreSnapshot'].concat(
          ['--resource', 'staging/payments-db'],
          json,
        ),
        {},
      );
    const registered = await explain('repo:example-org/example-repo:environment:staging');
    expect(registered.output).toContain('agent: release-bot (team payments; owners U0JUDY, U0KEN)');
    expect(registered.output).toContain('decision: auto-approve');
    const stranger = await explain('pay-bot');
    expect(stranger.output).toContain(
      'agent: pay-bot (not in the registry: name = its sub, team "", no owners)',
    );
    expect(stranger.output).toContain('decision: deny');
    const json = JSON.parse(
      (await explain('repo:example-org/example-repo:ref:refs/heads/main', ['--json'])).output,
    ) as {
      principal: unknown;
    };
    expect(json.principal).toEqual({
      name: 'deploy-bot',
      team: 'platform',
      owners: ['U0ALICE'],
      description: 'Deploys and migrates from the main branch of example-repo',
    });
  });

  it('distinguishes a verified human from an asserted one', async () => {
    const base = [
      'bin/stepup.cjs',
      'policy',
      'explain',
      '--agent',
      'pay-bot',
      '--action',
      'payments:Transfer',
    ];
    const asserted = await attempt(
      'node',
      [...base, '--resource', 'prod/treasury', '--on-behalf-of', 'carol@example.com'],
      {},
    );
    expect(asserted.output).toContain('decision: deny');
    expect(asserted.output).toContain('no-agent-payments');
    const verified = await attempt(
      'node',
      [...base, '--resource', 'prod/treasury', '--on-behalf-of', 'carol@example.com', '--verified', '--json'],
      {},
    );
    expect(JSON.parse(verified.output)).toMatchObject({ kind: 'step_up', requirements: { quorum: 2 } });
  });

  it('answers a usage mistake with exit 2 and the usage', async () => {
    const result = await attempt('node', ['bin/stepup.cjs', 'policy', 'explain', '--agent', 'x'], {});
    expect(result.code).toBe(2);
    expect(result.output).toContain('--action is required');
    expect(result.output).toContain('usage:');
  });
});
