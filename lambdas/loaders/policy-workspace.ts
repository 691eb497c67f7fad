import { resolve } from 'node:path';
import { CedarPolicyEvaluator } from '../adapters/cedar/cedar-policy-evaluator';
import { policiesPath } from '../adapters/cedar/policy-directory';
import { loadPolicySet } from '../adapters/cedar/policy-set-loader';
import { configPath, loadConfigFile } from '../adapters/config-file';
import type { StepUpConfig } from '../domain/config/config';
import { runPolicyTest, type PolicyTestResult } from '../domain/policy/policy-test';
import type { PolicyEvaluator } from '../ports/policy-evaluator';
import { loadPolicyTests, policyTestsPath } from './policy-test-files';

export { PolicyValidationError } from '../adapters/cedar/policy-set-loader';
export { PolicyTestFileError } from './policy-test-files';

/** Where one policy of the workspace is written. */
export interface PolicySource {
  readonly id: string;
  readonly file: string;
  readonly line: number;
}

/** An operator's policy workspace: the config file and the policy directory, both validated. */
export interface PolicyWorkspace {
  /** The policy directory, absolute. */
  readonly dir: string;
  readonly config: StepUpConfig;
  readonly policies: readonly PolicySource[];
  /** The policy engine over the validated set: give it to the domain's `decide`. */
  readonly evaluator: PolicyEvaluator;
}

/**
 * Loads what `stepup policy` works on: the tools' entry point into the policy engine, so the CLI
 * imports this and the domain, never the adapters behind it.
 * @param paths default: `STEPUP_POLICIES` or `./policies`, `STEPUP_CONFIG` or `./stepup.config.json`
 * @throws PolicyValidationError naming file and line of every problem; StepUpError for the config
 * @example
 * const { evaluator, config } = loadPolicyWorkspace({});
 * decide(evaluator, config, question);
 */
export function loadPolicyWorkspace(paths: {
  readonly policies?: string;
  readonly config?: string;
}): PolicyWorkspace {
  const dir = resolve(paths.policies ?? policiesPath());
  const config = loadConfigFile(resolve(paths.config ?? configPath()));
  const set = loadPolicySet(dir, config);
  return {
    dir,
    config,
    policies: set.policies.map(({ id, file, line }) => ({ id, file, line })),
    evaluator: new CedarPolicyEvaluator(set),
  };
}

/**
 * Runs the policy tests of `dir` (default: the workspace's `tests/`) against the workspace, each case
 * through the domain's `decide()`.
 * @throws PolicyTestFileError when a test file is not valid
 */
export function runPolicyTests(
  workspace: Pick<PolicyWorkspace, 'dir' | 'config' | 'evaluator'>,
  dir: string = policyTestsPath(workspace.dir),
): PolicyTestResult[] {
  return loadPolicyTests(dir).map((testCase) =>
    runPolicyTest(workspace.evaluator, workspace.config, testCase),
  );
}
