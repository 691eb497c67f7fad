import { readFileSync } from 'node:fs';
import type { StepUpConfig } from '../../domain/config/config';
import { approvalPolicy } from '../../domain/policy/policy-decision';
import type { ApprovalPolicy } from '../../ports/approval-policy';
import { CedarPolicyEvaluator } from './cedar-policy-evaluator';
import type { SchemaJson } from './evaluation-schema';
import type { LoadedPolicy, LoadedPolicySet } from './policy-set-loader';
import { HISTORY_LEAVES, type HistoryLeaf } from '../../domain/agents/history-use';

/** File name of the policy set that `cdk synth` validated, inside the request function's bundle. */
export const COMPILED_POLICY_SET_FILE = 'policy-set.json';

/** The JSON form of a {@link LoadedPolicySet} (`actions` as a sorted array). */
interface CompiledPolicySet {
  readonly evaluationSchema: SchemaJson;
  readonly historyUse: readonly HistoryLeaf[];
  readonly policies: readonly LoadedPolicy[];
  readonly actions: readonly string[];
}

/**
 * A validated policy set as JSON, written at synth beside the bundle. Validation (schema, strict
 * typing, annotations, the probe of every action) costs the better part of a second of Cedar work;
 * doing it once at synth instead of in every new container keeps it off the request path.
 * @example
 * writeFileSync(join(outdir, COMPILED_POLICY_SET_FILE), serializePolicySet(loadPolicySet(dir, config)));
 */
export function serializePolicySet(set: LoadedPolicySet): string {
  const compiled: CompiledPolicySet = {
    evaluationSchema: set.evaluationSchema,
    historyUse: set.historyUse,
    policies: set.policies,
    actions: [...set.actions].sort(),
  };
  return JSON.stringify(compiled);
}

/**
 * The Cedar policy from a policy set that `cdk synth` validated against this same config: pre-parsed
 * only, not validated again. Call once per container.
 * @throws Error when the file is missing or not a compiled policy set (a packaging fault, not input)
 */
export function cedarPolicyFromCompiledSet(config: StepUpConfig, path: string): ApprovalPolicy {
  const compiled = JSON.parse(readFileSync(path, 'utf8')) as Partial<CompiledPolicySet>;
  if (
    typeof compiled.evaluationSchema !== 'object' ||
    compiled.evaluationSchema === null ||
    !Array.isArray(compiled.historyUse) ||
    !compiled.historyUse.every((leaf) => HISTORY_LEAVES.includes(leaf)) ||
    !Array.isArray(compiled.policies) ||
    !Array.isArray(compiled.actions)
  ) {
    throw new Error(`${path} is not a compiled stepup policy set`);
  }
  const evaluator = new CedarPolicyEvaluator({
    evaluationSchema: compiled.evaluationSchema,
    historyUse: compiled.historyUse,
    policies: compiled.policies,
    actions: new Set(compiled.actions),
  });
  return approvalPolicy(evaluator, config);
}
