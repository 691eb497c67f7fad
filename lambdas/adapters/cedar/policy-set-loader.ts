import { EMPTY_HISTORY } from '../../domain/agents/agent-history';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { StepUpConfig } from '../../domain/config/config';
import { parsePolicyAnnotations, type PolicyAnnotations } from '../../domain/policy/policy-annotations';
import { cedar, type DetailedError } from './cedar-wasm';
import { agentAttributes } from './agent-attributes';
import { evaluationSchema, type SchemaJson } from './evaluation-schema';
import { historyReads, type PolicyJson } from './history-reads';
import type { HistoryLeaf } from '../../domain/agents/history-use';

/** One policy from the policy directory, with where it came from. */
export interface LoadedPolicy {
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
  readonly text: string;
  readonly annotations: PolicyAnnotations;
  readonly file: string;
  readonly line: number;
}

/** The validated policies, and what evaluating them needs. */
export interface LoadedPolicySet {
  /** The schema, its `context.history` cut to {@link historyUse} (`evaluation-schema.ts`). */
  readonly evaluationSchema: SchemaJson;
  /** The leaves of `context.history` the policies read (`history-reads.ts`). */
  readonly historyUse: readonly HistoryLeaf[];
  readonly policies: readonly LoadedPolicy[];
  /** Actions the schema declares. */
  readonly actions: ReadonlySet<string>;
}

/** The policy set is invalid; `problems` are `file:line:column: message` lines. */
export class PolicyValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid policy set:\n  ${problems.join('\n  ')}`);
    this.name = 'PolicyValidationError';
  }
}

/** `file:line:column` of a character offset in `text`. */
function position(file: string, text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${file}:${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

function describe(error: DetailedError): string {
  return error.help ? `${error.message} (${error.help})` : error.message;
}

function readSources(dir: string): { schemaFile: string; schema: string; policyFiles: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    throw new PolicyValidationError([
      `${dir}: cannot read the policy directory (set STEPUP_POLICIES to its path)`,
    ]);
  }
  const schemas = names.filter((n) => n.endsWith('.cedarschema'));
  const policyFiles = names.filter((n) => n.endsWith('.cedar')).map((n) => join(dir, n));
  const [schemaName] = schemas;
  if (schemas.length !== 1 || !schemaName) {
    throw new PolicyValidationError([
      `${dir}: expected exactly one *.cedarschema file, found ${schemas.length}`,
    ]);
  }
  if (policyFiles.length === 0) throw new PolicyValidationError([`${dir}: no *.cedar policy files`]);
  const schemaFile = join(dir, schemaName);
  return { schemaFile, schema: readFileSync(schemaFile, 'utf8'), policyFiles };
}

/**
 * Reads `dir` (one `*.cedarschema`, any number of `*.cedar`), and validates everything: Cedar
 * syntax, the schema (strict mode), `@id` uniqueness, the annotations and the approver groups they
 * name. All problems are reported at once, each with file, line and column.
 * @throws PolicyValidationError
 */
export function loadPolicySet(dir: string, config: StepUpConfig, cwd = process.cwd()): LoadedPolicySet {
  const { schemaFile, schema, policyFiles } = readSources(dir);
  const problems: string[] = [];
  const schemaCheck = cedar.checkParseSchema(schema);
  if (schemaCheck.type === 'failure') {
    for (const error of schemaCheck.errors) {
      const at = error.sourceLocations?.[0]?.start ?? 0;
      problems.push(`${position(relative(cwd, schemaFile), schema, at)}: ${describe(error)}`);
    }
    throw new PolicyValidationError(problems);
  }

  const policies: LoadedPolicy[] = [];
  const policyJsons: PolicyJson[] = [];
  // Where each policy starts in its file, to place Cedar's policy-relative error offsets.
  const origins = new Map<string, { file: string; text: string; offset: number }>();
  for (const path of policyFiles) {
    const file = relative(cwd, path);
    const text = readFileSync(path, 'utf8');
    const parts = cedar.policySetTextToParts(text);
    if (parts.type === 'failure') {
      for (const error of parts.errors) {
        problems.push(`${position(file, text, error.sourceLocations?.[0]?.start ?? 0)}: ${describe(error)}`);
      }
      continue;
    }
    const placed = new Set<number>();
    for (const policyText of parts.policies) {
      // Cedar returns each policy as a verbatim slice of the file, though not in file order; a
      // copy-pasted twin is placed at its own occurrence.
      let offset = text.indexOf(policyText);
      while (offset >= 0 && placed.has(offset)) offset = text.indexOf(policyText, offset + 1);
      offset = Math.max(0, offset);
      placed.add(offset);
      const where = position(file, text, offset);
      const json = cedar.policyToJson(policyText);
      if (json.type === 'failure') {
        problems.push(`${where}: ${json.errors.map(describe).join('; ')}`);
        continue;
      }
      policyJsons.push(json.json);
      const effect = json.json.effect as 'permit' | 'forbid';
      const parsed = parsePolicyAnnotations(json.json.annotations ?? {}, effect, config);
      problems.push(...parsed.problems.map((p) => `${where}: ${p}`));
      const stepUpAnnotations = Object.keys(json.json.annotations ?? {}).filter((a) =>
        STEP_UP_ONLY.includes(a),
      );
      if (effect === 'permit' && stepUpAnnotations.length > 0 && !policyText.includes('context.approved')) {
        // Without the condition the policy allows on the first evaluation: an auto-approve that
        // silently ignores the approvers it names.
        problems.push(
          `${where}: @${stepUpAnnotations[0]} only applies to step-up policies; add \`when { context.approved && … }\``,
        );
      }
      const duplicate = policies.find((p) => p.id === parsed.annotations.id);
      if (duplicate && parsed.annotations.id) {
        problems.push(
          `${where}: @id("${parsed.annotations.id}") is also used at ${duplicate.file}:${duplicate.line}`,
        );
      }
      origins.set(parsed.annotations.id, { file, text, offset });
      policies.push({
        id: parsed.annotations.id,
        effect,
        text: policyText,
        annotations: parsed.annotations,
        file,
        line: Number(where.split(':').at(-2)),
      });
    }
  }
  if (problems.length > 0) throw new PolicyValidationError(problems);

  const validation = cedar.validate({
    schema,
    policies: { staticPolicies: Object.fromEntries(policies.map((p) => [p.id, p.text])) },
    validationSettings: { mode: 'strict' },
  });
  if (validation.type === 'failure') {
    throw new PolicyValidationError(
      validation.errors.map((e) => `${relative(cwd, schemaFile)}: ${describe(e)}`),
    );
  }
  for (const { policyId, error } of validation.validationErrors) {
    const origin = origins.get(policyId);
    const offset = error.sourceLocations?.[0]?.start ?? 0;
    const where = origin ? position(origin.file, origin.text, origin.offset + offset) : policyId;
    problems.push(`${where}: ${describe(error)}`);
  }
  if (problems.length > 0) throw new PolicyValidationError(problems);

  const schemaJson = cedar.schemaToJson(schema);
  if (schemaJson.type === 'failure') {
    throw new PolicyValidationError(
      schemaJson.errors.map((e) => `${relative(cwd, schemaFile)}: ${describe(e)}`),
    );
  }
  const actions = new Set<string>();
  for (const namespace of Object.values(schemaJson.json)) {
    for (const action of Object.keys(namespace.actions)) actions.add(action);
  }
  problems.push(...probeSchema(schema, [...actions], relative(cwd, schemaFile)));
  if (problems.length > 0) throw new PolicyValidationError(problems);
  const historyUse = historyReads(policyJsons);
  return { evaluationSchema: evaluationSchema(schemaJson.json, historyUse), historyUse, policies, actions };
}

/** Annotations that describe human approval, meaningless on a policy that allows without it. */
const STEP_UP_ONLY = ['approvers', 'quorum', 'approval_timeout', 'escalate_to'];

/** A schema from before the agent registry declares `entity Agent;`: say what it needs. */
const AGENT_HINT =
  ' (stepup sends: entity Agent { name: String, team: String, owners: Set<String> }, entity Human, ' +
  'entity Resource { name: String, environment: String, audience: String }; see policies/stepup.cedarschema)';

/**
 * Checks that the schema accepts the request stepup sends for every declared action (entity
 * attributes, context fields); otherwise every request would fail at run time.
 */
function probeSchema(schema: string, actions: string[], file: string): string[] {
  const problems: string[] = [];
  const id = `stepup-probe-${process.pid}`;
  cedar.preparseSchema(id, schema);
  cedar.preparsePolicySet(id, { staticPolicies: {} });
  const context = { approved: false, human_verified: false, requested_ttl_seconds: 0, signals: {} };
  // `context.history` is optional in a schema (one written before it existed asks without it).
  const contexts = [{ ...context, history: EMPTY_HISTORY }, context];
  for (const action of actions) {
    const answers = contexts.map((c) => probeAction(id, action, c));
    const answer = answers.find((a) => a.type === 'success') ?? answers[1];
    if (answer?.type === 'failure') {
      problems.push(
        `${file}: action "${action}" does not accept the request stepup sends: ${answer.errors.map(describe).join('; ')}${AGENT_HINT}`,
      );
    }
  }
  return problems;
}

function probeAction(id: string, action: string, context: Record<string, unknown>) {
  return cedar.statefulIsAuthorized({
    principal: { type: 'Agent', id: 'probe' },
    action: { type: 'Action', id: action },
    resource: { type: 'Resource', id: 'prod/probe' },
    context: context as Parameters<typeof cedar.statefulIsAuthorized>[0]['context'],
    preparsedPolicySetId: id,
    preparsedSchemaName: id,
    validateRequest: true,
    entities: [
      {
        uid: { type: 'Resource', id: 'prod/probe' },
        attrs: { name: 'prod/probe', environment: 'prod', audience: 'probe' },
        parents: [],
      },
      { uid: { type: 'Agent', id: 'probe' }, attrs: agentAttributes({ agent: 'probe' }), parents: [] },
    ],
  });
}
