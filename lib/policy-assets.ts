import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { CedarPolicyEvaluator } from '../lambdas/adapters/cedar/cedar-policy-evaluator';
import { COMPILED_POLICY_SET_FILE, serializePolicySet } from '../lambdas/adapters/cedar/compiled-policy-set';
import type { LoadedPolicySet } from '../lambdas/adapters/cedar/policy-set-loader';
import type { StepUpConfig } from '../lambdas/domain/config/config';
import { policyTestDiff, policyTestSummary, policyTestTable } from '../lambdas/loaders/policy-test-report';
import { runPolicyTests } from '../lambdas/loaders/policy-workspace';
import { PROJECT_ROOT } from './step-up-function';

/** The example policy directory shipped in this repository. */
export const DEFAULT_POLICIES_DIR = join(PROJECT_ROOT, 'policies');

/** The file Cedar's nodejs build reads its module from, beside its JS. */
const CEDAR_WASM_FILE = 'cedar_wasm_bg.wasm';

/** Cedar's wasm module as installed, which `policyBundling` trims for the functions. */
export const CEDAR_WASM = join(
  PROJECT_ROOT,
  'node_modules',
  '@cedar-policy',
  'cedar-wasm',
  'nodejs',
  CEDAR_WASM_FILE,
);

const quote = (path: string) => `'${path.replace(/'/g, `'\\''`)}'`;

/**
 * The Cedar functions the Lambda code calls (`CedarPolicyEvaluator`: pre-parse once, then one
 * stateful evaluation per decision). The functions' copy of Cedar's wasm keeps only these exports
 * and the code they reach (`scripts/cedar-lambda-wasm.mjs`); `test/cdk/cedar-lambda-wasm.test.ts`
 * fails if the bundled code calls any other.
 */
export const CEDAR_LAMBDA_CALLS = ['preparsePolicySet', 'preparseSchema', 'statefulIsAuthorized'] as const;

const CEDAR_LAMBDA_WASM_SCRIPT = join(PROJECT_ROOT, 'scripts', 'cedar-lambda-wasm.mjs');

/**
 * esbuild options for the function that evaluates policies: Cedar's nodejs build reads its wasm
 * from beside the bundle (the module trimmed to {@link CEDAR_LAMBDA_CALLS}), and the policy set
 * validated at synth goes beside it as JSON, so a new container only pre-parses it (see
 * `compiled-policy-set.ts`).
 */
export function policyBundling(policySet: LoadedPolicySet): BundlingOptions {
  // The hooks run shell commands after esbuild; the JSON is handed over as a file. The asset hash is
  // of the output, so where this scratch file lives does not change it.
  const compiled = join(mkdtempSync(join(tmpdir(), 'stepup-policy-set-')), COMPILED_POLICY_SET_FILE);
  writeFileSync(compiled, serializePolicySet(policySet));
  return {
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => [
        `${quote(process.execPath)} ${quote(CEDAR_LAMBDA_WASM_SCRIPT)} ${quote(CEDAR_WASM)} ${quote(join(outputDir, CEDAR_WASM_FILE))} ${CEDAR_LAMBDA_CALLS.join(',')}`,
        `cp ${quote(compiled)} ${quote(outputDir)}/`,
      ],
    },
  };
}

/** A policy test case did not get its expected decision: the synth stops. */
export class PolicyTestFailure extends Error {
  constructor(report: readonly string[]) {
    super(`policy tests fail:\n${report.join('\n')}`);
    this.name = 'PolicyTestFailure';
  }
}

/**
 * Runs the policy tests of `<policiesDir>/tests` (if any) against the validated set, as
 * `stepup policy test` does: a policy change that breaks an expectation never deploys. Costs one
 * pre-parse and two Cedar calls per case (milliseconds).
 * @throws PolicyTestFailure with the table and the differences
 * @throws PolicyTestFileError when a test file is not valid
 */
export function checkPolicyTests(
  policiesDir: string,
  policySet: LoadedPolicySet,
  config: StepUpConfig,
): void {
  const results = runPolicyTests({
    dir: policiesDir,
    config,
    evaluator: new CedarPolicyEvaluator(policySet),
  });
  if (results.every((r) => r.mismatches.length === 0)) return;
  throw new PolicyTestFailure([
    ...policyTestTable(results),
    '',
    ...policyTestDiff(results),
    policyTestSummary(results),
  ]);
}

/** `STEPUP_POLICY_SET`: the bundled, synth-validated policy set (no permission attached; it is in the bundle). */
export function setPolicies(fn: lambda.Function): void {
  fn.addEnvironment('STEPUP_POLICY_SET', COMPILED_POLICY_SET_FILE);
}
