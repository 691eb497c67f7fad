import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { loadPolicySet } from '../../lambdas/adapters/cedar/policy-set-loader';
import { loadConfigFile } from '../../lambdas/adapters/config-file';
import { loadPolicyTests } from '../../lambdas/loaders/policy-test-files';
import { runCommand } from '../../client/cli/main';
import { checkPolicyTests, PolicyTestFailure } from '../../lib/policy-assets';
import { StepUpApproval } from '../../lib/step-up-approval';

/** Runs `stepup …` in-process and captures what it prints. */
function stepup(...argv: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCommand(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  if (typeof code !== 'number') throw new Error('policy commands answer synchronously');
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A copy of the shipped policies and their tests, plus `extra` files (name → content). */
function policiesWith(extra: Readonly<Record<string, string>>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'stepup-policy-tests-')), 'policies');
  cpSync('policies', dir, { recursive: true });
  for (const [name, content] of Object.entries(extra)) writeFileSync(join(dir, name), content);
  return dir;
}

const planted = JSON.stringify({
  cases: [
    {
      name: 'a production secret, expected with the wrong quorum',
      action: 'secrets:Rotate',
      resource: 'prod/db-password',
      expect: { decision: 'step_up', policies: ['rotate-prod-secret'], quorum: 3 },
    },
  ],
});

describe('stepup policy test', () => {
  it('passes every shipped case and prints the table', () => {
    const result = stepup('policy', 'test');
    expect(result.code).toBe(0);
    const cases = loadPolicyTests('policies/tests');
    const lines = result.out.split('\n');
    expect(lines[0]).toMatch(/^case\s+expected\s+actual\s+ok\s+log-only \(not enforced\)$/);
    for (const c of cases) {
      expect(lines.find((l) => l.startsWith(c.name))).toMatch(/\sok\s/);
    }
    expect(lines.at(-1)).toBe(`ok: all ${cases.length} policy test cases pass`);
  });

  it('ships cases for every example policy, log-only ones included', () => {
    const set = loadPolicySet('policies', loadConfigFile('stepup.config.json'));
    const covered = new Set(
      loadPolicyTests('policies/tests').flatMap((c) => [
        ...(c.expect.policies ?? []),
        ...(c.expect.log_only?.policies ?? []),
      ]),
    );
    expect(set.policies.map((p) => p.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it('fails on a planted wrong expectation, with a readable diff of expected and actual', () => {
    const dir = policiesWith({ 'tests/planted.json': planted });
    const result = stepup('policy', 'test', '--policies', dir);
    expect(result.code).toBe(1);
    const lines = result.out.split('\n');
    expect(lines.find((l) => l.startsWith('a production secret'))).toMatch(
      /step_up \(rotate-prod-secret\)\s+step_up \(rotate-prod-secret\)\s+FAIL/,
    );
    const at = lines.findIndex((l) => l.startsWith('FAIL '));
    expect(lines.slice(at, at + 4)).toEqual([
      expect.stringMatching(
        /^FAIL .*tests\/planted\.json#1 "a production secret, expected with the wrong quorum"$/,
      ),
      '  quorum:',
      '    - expected 3',
      '    + actual   2',
    ]);
    expect(lines.at(-1)).toBe(`1 of ${loadPolicyTests(join(dir, 'tests')).length} policy test cases fail`);
  });

  it('refuses a test file that does not fit the case format, naming file and field', () => {
    const dir = policiesWith({
      'tests/broken.json': JSON.stringify({
        cases: [{ name: 'x', action: 'logs:Read', resource: 'a', expect: { decision: 'maybe' } }],
      }),
    });
    const result = stepup('policy', 'test', '--policies', dir);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/broken\.json: cases\.0\.expect\.decision: /);
  });

  it('fails the synth on a planted wrong expectation, and passes the shipped cases', () => {
    const config = loadConfigFile('stepup.config.json');
    expect(() => checkPolicyTests('policies', loadPolicySet('policies', config), config)).not.toThrow();
    const dir = policiesWith({ 'tests/planted.json': planted });
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    let thrown: unknown;
    try {
      new StepUpApproval(new Stack(app, 'Planted'), 'StepUp', { config, policiesDir: dir });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PolicyTestFailure);
    expect((thrown as Error).message).toMatch(/quorum:\n {4}- expected 3\n {4}\+ actual {3}2/);
  });
});

describe('the shipped cases', () => {
  it('are JSON files under policies/tests', () => {
    const files = readdirSync('policies/tests').filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files)
      expect(() => JSON.parse(readFileSync(join('policies/tests', f), 'utf8'))).not.toThrow();
  });
});
