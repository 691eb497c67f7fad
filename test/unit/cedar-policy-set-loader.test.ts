import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicySet, PolicyValidationError } from '../../lambdas/adapters/cedar/policy-set-loader';
import { loadConfigFile } from '../../lambdas/adapters/config-file';
import { testConfig, thrownBy } from './support/fixtures';

const SCHEMA = `entity Agent { name: String, team: String, owners: Set<String> };
entity Human;
entity Resource { name: String, environment: String, audience: String };
type Signals = { ticket?: String };
type RequestContext = {
  approved: Bool,
  human_verified: Bool,
  on_behalf_of?: Human,
  requested_ttl_seconds: Long,
  signals: Signals,
};
action "db:DropTable", "logs:Read" appliesTo {
  principal: [Agent],
  resource: [Resource],
  context: RequestContext,
};
`;

const ALLOW_ALL = `@id("a")
permit (principal, action, resource);
`;

const root = mkdtempSync(join(tmpdir(), 'stepup-policies-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** A fresh policy directory holding `files` (name → text). */
function policyDir(files: Record<string, string>): string {
  const dir = join(root, `set-${++counter}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Loads `files` (file names relative to their directory) and returns the problems it reports. */
function problemsOf(files: Record<string, string>): readonly string[] {
  const dir = policyDir(files);
  const error = thrownBy(() => loadPolicySet(dir, testConfig(), dir));
  expect(error).toBeInstanceOf(PolicyValidationError);
  const { problems, message } = error as PolicyValidationError;
  expect(message).toBe(`invalid policy set:\n  ${problems.join('\n  ')}`);
  return problems;
}

describe('loadPolicySet: a valid directory', () => {
  it('returns the schema, every policy with its id, effect, annotations, file and line, and the actions', () => {
    const dir = policyDir({
      'stepup.cedarschema': SCHEMA,
      'a.cedar': `// Reading logs changes nothing.
@id("read-logs")
@max_ttl("900")
permit (principal, action == Action::"logs:Read", resource);

@id("drop-table")
@approvers("db-owners")
@quorum("2")
permit (principal, action == Action::"db:DropTable", resource)
when { context.approved && context.signals has ticket };
`,
      'b.cedar': `
@id("no-audit")
forbid (principal, action, resource)
when { resource.name like "*audit*" };
`,
      'README.md': 'not a policy',
      'notes.cedar.bak': 'not a policy either',
    });
    const set = loadPolicySet(dir, testConfig(), dir);
    expect(set.historyUse).toEqual([]);
    expect([...set.actions].sort()).toEqual(['db:DropTable', 'logs:Read']);
    expect(set.policies.map((p) => [p.id, p.effect, p.file, p.line])).toEqual([
      ['read-logs', 'permit', 'a.cedar', 2],
      ['drop-table', 'permit', 'a.cedar', 6],
      ['no-audit', 'forbid', 'b.cedar', 2],
    ]);
    expect(set.policies[1]?.annotations).toMatchObject({
      id: 'drop-table',
      approvers: ['db-owners'],
      quorum: 2,
    });
    expect(set.policies[1]?.text).toBe(`@id("drop-table")
@approvers("db-owners")
@quorum("2")
permit (principal, action == Action::"db:DropTable", resource)
when { context.approved && context.signals has ticket };`);
  });

  it('names files relative to the working directory it is given', () => {
    const dir = policyDir({ 's.cedarschema': SCHEMA, 'a.cedar': ALLOW_ALL });
    expect(loadPolicySet(dir, testConfig(), root).policies[0]?.file).toBe(join(`set-${counter}`, 'a.cedar'));
  });

  it('places every policy of a file with more than ten policies on its own line', () => {
    // Cedar hands the policies back ordered by its internal ids (policy0, policy1, policy10, policy2…).
    const policies = Array.from(
      { length: 13 },
      (_, i) => `// policy ${i}\n@id("p${i}")\npermit (principal, action, resource) when { ${i} == ${i} };\n`,
    );
    const dir = policyDir({ 's.cedarschema': SCHEMA, 'a.cedar': policies.join('\n') });
    const lines = Object.fromEntries(
      loadPolicySet(dir, testConfig(), dir).policies.map((p) => [p.id, p.line]),
    );
    expect(lines).toEqual(Object.fromEntries(policies.map((_, i) => [`p${i}`, 4 * i + 2])));
  });

  it('loads the repository’s policies/ with the repository’s stepup.config.json', () => {
    const repo = resolve(__dirname, '../..');
    const set = loadPolicySet(join(repo, 'policies'), loadConfigFile(join(repo, 'stepup.config.json')), repo);
    expect(set.policies.length).toBeGreaterThan(0);
    expect(new Set(set.policies.map((p) => p.id)).size).toBe(set.policies.length);
    expect(set.policies.every((p) => /^policies\/[a-z-]+\.cedar$/.test(p.file) && p.line > 0)).toBe(true);
    expect(set.policies.some((p) => p.effect === 'forbid')).toBe(true);
    expect([...set.actions]).toEqual(
      expect.arrayContaining(['logs:Read', 'deploy:Deploy', 'db:DropTable', 'payments:Transfer']),
    );
  });
});

describe('loadPolicySet: each problem is reported at file:line:column', () => {
  it('a Cedar syntax error', () => {
    const problems = problemsOf({
      'stepup.cedarschema': SCHEMA,
      'a.cedar': `// comment
@id("a")
permit (principal, action, resource);

@id("b")
permit (principal, action == Action::"db:DropTable", resource)
when { context.approved && };
`,
    });
    expect(problems).toEqual([expect.stringMatching(/^a\.cedar:7:28: .*unexpected token/)]);
  });

  it('a strict-schema error: an optional context attribute read without `has`', () => {
    const problems = problemsOf({
      'stepup.cedarschema': SCHEMA,
      'a.cedar': `${ALLOW_ALL}


@id("b")
permit (principal, action == Action::"db:DropTable", resource)
when { context.approved &&
  context.signals.ticket == "CHG-1" };
`,
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^a\.cedar:9:3: for policy `b`, unable to guarantee safety of access to optional attribute/,
      ),
    ]);
    expect(problems[0]).toContain('has');
  });

  it('a strict-schema error: an attribute the schema does not declare', () => {
    const problems = problemsOf({
      'stepup.cedarschema': SCHEMA,
      'z.cedar': `\n@id("owner")\npermit (principal, action, resource)\nwhen { resource.owner == "x" };\n`,
    });
    expect(problems).toEqual([expect.stringMatching(/^z\.cedar:4:8: .*attribute `owner`.*not found/)]);
  });

  it('an unknown annotation', () => {
    const problems = problemsOf({
      'stepup.cedarschema': SCHEMA,
      'a.cedar': `${ALLOW_ALL}\n@id("b")\n@owner("db-team")\npermit (principal, action, resource);\n`,
    });
    expect(problems).toEqual([expect.stringMatching(/^a\.cedar:4:1: unknown annotation @owner \(known: /)]);
  });

  it('a step-up annotation on a forbid policy', () => {
    const problems = problemsOf({
      'stepup.cedarschema': SCHEMA,
      'a.cedar': `${ALLOW_ALL}\n@id("f")\n@quorum("2")\nforbid (principal, action, resource);\n`,
    });
    expect(problems).toEqual(['a.cedar:4:1: @quorum has no meaning on a forbid policy']);
  });

  it('a missing @id', () => {
    const problems = problemsOf({
      'stepup.cedarschema': SCHEMA,
      'a.cedar': `${ALLOW_ALL}\n@approvers("db-owners")\npermit (principal, action, resource)\nwhen { context.approved };\n`,
    });
    expect(problems).toEqual([
      'a.cedar:4:1: every policy needs @id("…") of letters, digits and _.:- (at most 64)',
    ]);
  });

  it('a duplicate @id, in another file, naming where it was first used', () => {
    const problems = problemsOf({
      'stepup.cedarschema': SCHEMA,
      'a.cedar': `\n${ALLOW_ALL}`,
      'b.cedar': `// again\n\n@id("a")\nforbid (principal, action, resource);\n`,
    });
    expect(problems).toEqual(['b.cedar:3:1: @id("a") is also used at a.cedar:2']);
  });

  it('a duplicate @id in the same file', () => {
    const problems = problemsOf({
      'stepup.cedarschema': SCHEMA,
      'a.cedar': `${ALLOW_ALL}\n@id("a")\nforbid (principal, action == Action::"db:DropTable", resource);\n`,
    });
    expect(problems).toEqual(['a.cedar:4:1: @id("a") is also used at a.cedar:1']);
  });

  it('an @approvers or @escalate_to group that the config does not have', () => {
    const problems = problemsOf({
      'stepup.cedarschema': SCHEMA,
      'a.cedar': `${ALLOW_ALL}
@id("b")
@approvers("db-owners, dba")
@escalate_to("pager")
permit (principal, action, resource) when { context.approved };
`,
    });
    expect(problems).toEqual([
      'a.cedar:4:1: @approvers names group "dba", which is not in approverGroups of the config',
      'a.cedar:4:1: @escalate_to names group "pager", which is not in approverGroups of the config',
    ]);
  });

  it('every problem of every file at once', () => {
    const problems = problemsOf({
      'stepup.cedarschema': SCHEMA,
      'a.cedar': `@id("a")\n@color("red")\npermit (principal, action, resource);\n`,
      'b.cedar': `permit (principal, action, resource);\n`,
      'c.cedar': `@id("c") permit (principal, action, resource`,
    });
    expect(problems.map((p) => p.split(':').slice(0, 2).join(':'))).toEqual([
      'a.cedar:1',
      'b.cedar:1',
      'c.cedar:1',
    ]);
  });

  it('a schema syntax error, in the schema file', () => {
    const problems = problemsOf({
      'stepup.cedarschema': `${SCHEMA}\nentity ;\n`,
      'a.cedar': ALLOW_ALL,
    });
    const line = SCHEMA.split('\n').length + 1;
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^stepup\\.cedarschema:${line}:8: .*unexpected token`)),
    ]);
  });
});

describe('loadPolicySet: what stepup relies on', () => {
  it('a step-up annotation on a permit that does not require context.approved (it would auto-approve)', () => {
    const problems = problemsOf({
      'stepup.cedarschema': SCHEMA,
      'a.cedar':
        '@id("sneaky")\n@approvers("db-owners")\n@quorum("2")\npermit (principal, action, resource);\n',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^a\.cedar:1:1: @approvers only applies to step-up policies/),
    ]);
  });

  it('a schema that does not accept what stepup sends', () => {
    const problems = problemsOf({
      'stepup.cedarschema': SCHEMA.replace('requested_ttl_seconds: Long,', ''),
      'a.cedar': ALLOW_ALL,
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^stepup\.cedarschema: action "db:DropTable" does not accept the request stepup sends: .*requested_ttl_seconds/,
      ),
      expect.stringMatching(/^stepup\.cedarschema: action "logs:Read" does not accept/),
    ]);
  });
});

describe('loadPolicySet: the directory itself', () => {
  it('no schema file', () => {
    const dir = policyDir({ 'a.cedar': ALLOW_ALL });
    expect(problemsOf({ 'a.cedar': ALLOW_ALL })).toEqual([
      expect.stringMatching(/: expected exactly one \*\.cedarschema file, found 0$/),
    ]);
    expect(thrownBy(() => loadPolicySet(dir, testConfig(), dir))).toMatchObject({
      problems: [`${dir}: expected exactly one *.cedarschema file, found 0`],
    });
  });

  it('two schema files', () => {
    expect(problemsOf({ 'a.cedarschema': SCHEMA, 'b.cedarschema': SCHEMA, 'a.cedar': ALLOW_ALL })).toEqual([
      expect.stringMatching(/: expected exactly one \*\.cedarschema file, found 2$/),
    ]);
  });

  it('no policy file', () => {
    expect(problemsOf({ 'stepup.cedarschema': SCHEMA })).toEqual([
      expect.stringMatching(/: no \*\.cedar policy files$/),
    ]);
  });

  it('a directory that does not exist', () => {
    const missing = join(root, 'missing');
    expect(thrownBy(() => loadPolicySet(missing, testConfig(), root))).toMatchObject({
      name: 'PolicyValidationError',
      problems: [`${missing}: cannot read the policy directory (set STEPUP_POLICIES to its path)`],
    });
  });
});

describe('loadPolicySet: identical copy-pasted policies', () => {
  it('reports the second copy at its own line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dup-'));
    writeFileSync(
      join(dir, 's.cedarschema'),
      'entity A;\naction "x:Y" appliesTo { principal: [A], resource: [A] };\n',
    );
    writeFileSync(
      join(dir, 'a.cedar'),
      '@id("a")\npermit (principal, action, resource);\n\n@id("a")\npermit (principal, action, resource);\n',
    );
    const error = thrownBy(() => loadPolicySet(dir, testConfig(), dir)) as PolicyValidationError;
    expect(error.problems).toEqual(['a.cedar:4:1: @id("a") is also used at a.cedar:1']);
  });
});
