import { join } from 'node:path';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { PROJECT_ROOT } from './step-up-function';

/** The example policy directory shipped in this repository. */
export const DEFAULT_POLICIES_DIR = join(PROJECT_ROOT, 'policies');

/** Where the bundle holds the policies, relative to the Lambda task root (the working directory). */
const BUNDLED_POLICIES = 'policies';

const CEDAR_WASM = join(
  PROJECT_ROOT,
  'node_modules',
  '@cedar-policy',
  'cedar-wasm',
  'nodejs',
  'cedar_wasm_bg.wasm',
);

const quote = (path: string) => `'${path.replace(/'/g, `'\\''`)}'`;

/**
 * esbuild options for the function that evaluates policies: Cedar's nodejs build reads its wasm
 * from beside the bundle, and the policy files are read and pre-parsed once per container.
 */
export function policyBundling(policiesDir: string): BundlingOptions {
  return {
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => [
        `cp ${quote(CEDAR_WASM)} ${quote(outputDir)}/`,
        `mkdir -p ${quote(join(outputDir, BUNDLED_POLICIES))}`,
        `cp ${quote(policiesDir)}/*.cedar ${quote(policiesDir)}/*.cedarschema ${quote(join(outputDir, BUNDLED_POLICIES))}/`,
      ],
    },
  };
}

/** `STEPUP_POLICIES`: the bundled policy directory (no permission attached; the files are in the bundle). */
export function setPolicies(fn: lambda.Function): void {
  fn.addEnvironment('STEPUP_POLICIES', BUNDLED_POLICIES);
}
