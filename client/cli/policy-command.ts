import type { AgentProfile } from '../../lambdas/domain/agent-registry';
import { historyOf, type AgentHistory } from '../../lambdas/domain/agent-history';
import { historySchema } from '../../lambdas/loaders/history-schema';
import { approverGroupsLabel } from '../../lambdas/domain/approval-request';
import { decide } from '../../lambdas/domain/policy-decision';
import { policyPrincipal } from '../../lambdas/domain/policy-principal';
import { policyTestDiff, policyTestSummary, policyTestTable } from '../../lambdas/loaders/policy-test-report';
import {
  loadPolicyWorkspace,
  runPolicyTests,
  type PolicyWorkspace,
} from '../../lambdas/loaders/policy-workspace';
import type { PolicyDecision } from '../../lambdas/ports/approval-policy';
import { flag, parseArgs, rejectUnknownFlags, requiredFlag, UsageError, type ParsedArgs } from './args';

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

function load(args: ParsedArgs): PolicyWorkspace {
  return loadPolicyWorkspace({ policies: flag(args, 'policies'), config: flag(args, 'config') });
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
function historyFlag(args: ParsedArgs): AgentHistory {
  const raw = flag(args, 'history');
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

function signals(args: ParsedArgs): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of args.flags.get('signal') ?? []) {
    const [name, value] = pair.split(/=(.*)/s, 2);
    if (!name || value === undefined) throw new UsageError(`--signal takes name=value, got "${pair}"`);
    result[name] = value;
  }
  return result;
}

/**
 * `stepup policy check|explain|test`: what an operator runs before merging a policy change.
 * @returns the process exit code
 */
export function policyCommand(argv: readonly string[], output: Output): number {
  const [sub, ...rest] = argv;
  if (sub === 'check') {
    const args = parseArgs(rest);
    rejectUnknownFlags(args, ['policies', 'config']);
    const { policies, dir } = load(args);
    output.out(`ok: ${policies.length} policies in ${dir} are valid against the schema and the config`);
    return 0;
  }
  if (sub === 'explain') {
    const args = parseArgs(rest, ['verified', 'json']);
    rejectUnknownFlags(args, [
      'agent',
      'action',
      'resource',
      'audience',
      'on-behalf-of',
      'verified',
      'signal',
      'history',
      'json',
      'policies',
      'config',
    ]);
    const workspace = load(args);
    const agent = requiredFlag(args, 'agent');
    const principal = policyPrincipal(workspace.config, { agent });
    const decision = decide(workspace.evaluator, workspace.config, {
      agent,
      action: requiredFlag(args, 'action'),
      resource: requiredFlag(args, 'resource'),
      audience: flag(args, 'audience') ?? 'unspecified',
      onBehalfOf: flag(args, 'on-behalf-of'),
      humanVerified: flag(args, 'verified') === 'true',
      requestedTtlSeconds: 0,
      signals: signals(args),
      history: historyFlag(args),
    });
    if (flag(args, 'json') === 'true') output.out(JSON.stringify({ ...decision, principal }, null, 2));
    else
      [principalLine(agent, principal), ...describe(decision, workspace)].forEach((line) => output.out(line));
    return 0;
  }
  if (sub === 'test') {
    const args = parseArgs(rest);
    rejectUnknownFlags(args, ['tests', 'policies', 'config']);
    const workspace = load(args);
    const results = runPolicyTests(workspace, flag(args, 'tests'));
    if (results.length === 0) {
      output.err(`no policy test cases in ${flag(args, 'tests') ?? `${workspace.dir}/tests`}`);
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
