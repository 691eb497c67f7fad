import type { AgentProfile } from '../../lambdas/domain/agents/agent-registry';
import { historyOf, type AgentHistory } from '../../lambdas/domain/agents/agent-history';
import { historySchema } from '../../lambdas/loaders/history-schema';
import { approverGroupsLabel } from '../../lambdas/domain/requests/approval-request';
import { decide } from '../../lambdas/domain/policy/policy-decision';
import { policyPrincipal } from '../../lambdas/domain/policy/policy-principal';
import { policyTestDiff, policyTestSummary, policyTestTable } from '../../lambdas/loaders/policy-test-report';
import {
  loadPolicyWorkspace,
  runPolicyTests,
  type PolicyWorkspace,
} from '../../lambdas/loaders/policy-workspace';
import type { PolicyDecision } from '../../lambdas/ports/approval-policy';
import { parseCommandLine, required, UsageError } from './args';
import { ACTION_OPTIONS, signalsFlag } from './action-flags';

export const POLICY_USAGE = `usage:
  stepup policy check   [--policies DIR] [--config FILE]
  stepup policy explain --agent SUB --action ACTION --resource RESOURCE [--audience ID]
                        [--on-behalf-of HUMAN] [--verified] [--signal name=value]...
                        [--history JSON] [--json]
                        [--policies DIR] [--config FILE]
  stepup policy test    [--tests DIR] [--policies DIR] [--config FILE]

check     validates the policy set against its schema and the config; exit 0 when valid, 1 when not.
explain   prints the agent as policies see it (its registry name, team, owners), then what stepup
          would decide for one request: auto-approve, step-up (with who must approve, how many, how
          long) or deny, and the policies that decided it; and, apart, what @mode("log_only")
          policies would have decided.
test      runs the policy test cases (*.json in --tests, default <policies>/tests) through the same
          decision and prints a table; exit 0 when every case gets its expected decision, 1 with the
          differences when not.
Defaults: --policies $STEPUP_POLICIES or ./policies, --config $STEPUP_CONFIG or ./stepup.config.json.`;

/** Where output goes; injectable so tests can capture it. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** The flags naming the workspace, which every `stepup policy` command takes. */
const WORKSPACE_OPTIONS = { policies: { type: 'string' }, config: { type: 'string' } } as const;

/** The flags of `stepup policy explain`. */
const EXPLAIN_OPTIONS = {
  agent: { type: 'string' },
  ...ACTION_OPTIONS,
  verified: { type: 'boolean' },
  history: { type: 'string' },
  json: { type: 'boolean' },
  ...WORKSPACE_OPTIONS,
} as const;

function load(flags: { readonly policies?: string; readonly config?: string }): PolicyWorkspace {
  return loadPolicyWorkspace({ policies: flags.policies, config: flags.config });
}

function describe(decision: PolicyDecision, workspace: PolicyWorkspace): string[] {
  const logOnly = decision.logOnly
    ? [
        `log-only (not enforced): would ${decision.logOnly.decision.kind.replace('_', '-')} by ${decision.logOnly.policies
          .map((p) => `${p.effect} ${p.id}`)
          .join(', ')}`,
      ]
    : [];
  return [...enforced(decision, workspace), ...logOnly];
}

function enforced(decision: PolicyDecision, workspace: PolicyWorkspace): string[] {
  const where = (id: string) => {
    const policy = workspace.policies.find((p) => p.id === id);
    return policy ? `${id} (${policy.file}:${policy.line})` : id;
  };
  switch (decision.kind) {
    case 'auto_approve':
      return [
        'decision: auto-approve (the agent may act alone; still a single-use token, still audited)',
        `policies: ${decision.policies.map(where).join(', ')}`,
        `max token ttl: ${decision.maxTokenTtlSeconds} s`,
      ];
    case 'step_up': {
      const r = decision.requirements;
      return [
        'decision: step-up (a human must approve)',
        `policies: ${r.policies.map(where).join(', ')}`,
        `approvers: ${r.quorum} distinct from ${approverGroupsLabel(r)}`,
        `approval timeout: ${r.approvalTimeoutSeconds} s`,
        `escalate to: ${r.escalateTo ?? '(nobody)'}`,
        `max token ttl: ${r.maxTokenTtlSeconds} s`,
        `assurance: ${r.assurance === 'passkey' ? 'passkey (each vote confirmed with a passkey on the approval page)' : 'slack (a click in Slack)'}`,
        ...(r.description ? [`description: ${r.description}`] : []),
      ];
    }
    case 'deny':
      return [
        'decision: deny',
        `policies: ${decision.policies.length > 0 ? decision.policies.map(where).join(', ') : '(none: nothing permits it)'}`,
        `reason: ${decision.reason}`,
      ];
  }
}

/** The agent as the policies see it (`principal.name`, `.team`, `.owners`). */
function principalLine(agent: string, principal: AgentProfile): string {
  if (principal.team === '' && principal.owners.length === 0) {
    return `agent: ${agent} (not in the registry: name = its sub, team "", no owners)`;
  }
  return `agent: ${principal.name} (team ${principal.team}; owners ${principal.owners.join(', ')})`;
}

/** `--history '{"action":{"last_hour":{"requests":3}}}'`: any part of `context.history`, the rest zero. */
function historyFlag(raw: string | undefined): AgentHistory {
  if (raw === undefined) return historyOf();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new UsageError('--history takes JSON, e.g. {"overall":{"last_24h":{"denied":3}}}');
  }
  const checked = historySchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new UsageError(`--history: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return historyOf(checked.data);
}

/**
 * `stepup policy check|explain|test`: what an operator runs before merging a policy change.
 * @returns the process exit code
 */
export function policyCommand(argv: readonly string[], output: Output): number {
  const [sub, ...rest] = argv;
  if (sub === 'check') {
    const { values } = parseCommandLine(rest, WORKSPACE_OPTIONS);
    const { policies, dir } = load(values);
    output.out(`ok: ${policies.length} policies in ${dir} are valid against the schema and the config`);
    return 0;
  }
  if (sub === 'explain') {
    const { values } = parseCommandLine(rest, EXPLAIN_OPTIONS);
    const workspace = load(values);
    const agent = required(values.agent, 'agent');
    const principal = policyPrincipal(workspace.config, { agent });
    const decision = decide(workspace.evaluator, workspace.config, {
      agent,
      action: required(values.action, 'action'),
      resource: required(values.resource, 'resource'),
      audience: values.audience ?? 'unspecified',
      onBehalfOf: values['on-behalf-of'],
      humanVerified: values.verified === true,
      requestedTtlSeconds: 0,
      signals: signalsFlag(values.signal) ?? {},
      history: historyFlag(values.history),
    });
    if (values.json === true) output.out(JSON.stringify({ ...decision, principal }, null, 2));
    else
      [principalLine(agent, principal), ...describe(decision, workspace)].forEach((line) => output.out(line));
    return 0;
  }
  if (sub === 'test') {
    const { values } = parseCommandLine(rest, { tests: { type: 'string' }, ...WORKSPACE_OPTIONS });
    const workspace = load(values);
    const results = runPolicyTests(workspace, values.tests);
    if (results.length === 0) {
      output.err(`no policy test cases in ${values.tests ?? `${workspace.dir}/tests`}`);
      return 1;
    }
    policyTestTable(results).forEach((line) => output.out(line));
    const diff = policyTestDiff(results);
    if (diff.length > 0) output.out('');
    diff.forEach((line) => output.out(line));
    output.out(policyTestSummary(results));
    return diff.length === 0 ? 0 : 1;
  }
  throw new UsageError(sub ? `unknown policy command "${sub}"` : 'missing policy command');
}
