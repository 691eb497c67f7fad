import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as z from 'zod/mini';
import { historyOf } from '../domain/agents/agent-history';
import type { PolicyTestCase } from '../domain/policy/policy-test';
import { historySchema } from './history-schema';

/*
 * Policy tests are JSON files, `<policies>/tests/*.json`: data a platform team reviews beside the
 * policies, which `stepup policy test`, `npm test` and `cdk synth` all run. The shape is declared once
 * here (zod), and every file is validated against it before any case runs.
 */

const text = z.string().check(z.minLength(1));
const decision = z.enum(['auto_approve', 'step_up', 'deny']);
const policies = z.array(text);

const caseSchema = z.strictObject({
  name: text,
  /** The agent as the policies see it: its workload `sub`, and who it acts for. */
  principal: z.optional(
    z.strictObject({
      agent: z.optional(text),
      on_behalf_of: z.optional(text),
      /** True when the human was proven by their own id_token (a `subject_token`). */
      human_verified: z.optional(z.boolean()),
    }),
  ),
  action: text,
  resource: text,
  audience: z.optional(text),
  /** The decision's context besides what stepup derives. */
  context: z.optional(
    z.strictObject({
      signals: z.optional(z.record(z.string(), z.string())),
      requested_ttl_seconds: z.optional(z.int().check(z.minimum(0))),
      /** `context.history`: any part of it; what is left out is zero (an agent with no past). */
      history: z.optional(historySchema),
    }),
  ),
  expect: z.strictObject({
    decision,
    policies: z.optional(policies),
    approver_groups: z.optional(z.array(z.array(text))),
    quorum: z.optional(z.int()),
    approval_timeout_seconds: z.optional(z.int()),
    escalate_to: z.optional(z.nullable(text)),
    max_token_ttl_seconds: z.optional(z.int()),
    reason: z.optional(z.string()),
    log_only: z.optional(z.nullable(z.strictObject({ policies, decision }))),
  }),
});

/** One policy test file. */
export const policyTestFileSchema = z.strictObject({
  /** Lets an editor point at a JSON Schema of its own; not read. */
  $schema: z.optional(z.string()),
  description: z.optional(z.string()),
  cases: z.array(caseSchema).check(z.minLength(1)),
});

/** The agent a case asks for when it names none. */
export const DEFAULT_TEST_AGENT = 'policy-test-agent';

/** The audience a question has when it names none (as `stepup policy explain`). */
export const UNSPECIFIED_AUDIENCE = 'unspecified';

/** A policy test file that is not valid; `problems` are `file: path: message` lines. */
export class PolicyTestFileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid policy test files:\n  ${problems.join('\n  ')}`);
    this.name = 'PolicyTestFileError';
  }
}

function parseFile(path: string, file: string): { cases?: PolicyTestCase[]; problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { problems: [`${file}: not JSON (${(error as Error).message})`] };
  }
  const parsed = policyTestFileSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map(
        (issue) => `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      ),
    };
  }
  const cases = parsed.data.cases.map((c, i): PolicyTestCase => ({
    name: c.name,
    source: `${file}#${i + 1}`,
    question: {
      agent: c.principal?.agent ?? DEFAULT_TEST_AGENT,
      action: c.action,
      resource: c.resource,
      audience: c.audience ?? UNSPECIFIED_AUDIENCE,
      onBehalfOf: c.principal?.on_behalf_of,
      humanVerified: c.principal?.human_verified ?? false,
      requestedTtlSeconds: c.context?.requested_ttl_seconds ?? 0,
      signals: c.context?.signals ?? {},
      history: historyOf(c.context?.history),
    },
    expect: c.expect,
  }));
  return { cases, problems: [] };
}

/**
 * Reads every `*.json` case file of `dir` (none when the directory does not exist), validated.
 * @throws PolicyTestFileError naming file and field of every problem
 */
export function loadPolicyTests(dir: string, cwd = process.cwd()): PolicyTestCase[] {
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort();
  const cases: PolicyTestCase[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const parsed = parseFile(join(dir, name), relative(cwd, join(dir, name)));
    problems.push(...parsed.problems);
    cases.push(...(parsed.cases ?? []));
  }
  if (problems.length > 0) throw new PolicyTestFileError(problems);
  return cases;
}

/** The tests directory of a policy directory: `<policies>/tests`. */
export function policyTestsPath(policiesDir: string): string {
  return join(policiesDir, 'tests');
}
