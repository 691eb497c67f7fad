import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/** The alias modules, relative to the project root (the working directory esbuild runs in). */
export const LAMBDA_BUNDLE_ALIASES_DIR = 'lambdas/adapters/aws/bundle-aliases';

/**
 * Packages every function's bundle replaces, each mapped to its file in
 * {@link LAMBDA_BUNDLE_ALIASES_DIR}. V8 compiles all of a bundle at `require`, run or not (~75 µs a
 * KB on the bench machine), so code no Lambda path runs is cost in every new container:
 *
 * - `@aws-sdk/credential-provider-node`: the SDK clients' default credential chain. Lambda provides
 *   credentials in the environment, so the bundle keeps only that link (~165 KB less: the chain's
 *   other providers and the STS/SSO clients they load).
 * - `semver`: loaded by the X-Ray SDK for its AWS SDK v2 patcher only; a stub that throws if called.
 */
export const LAMBDA_BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': 'environment-credentials.ts',
  semver: 'semver.ts',
};

/** `--alias` values (`pkg=./path`, resolved from esbuild's working directory) for `aliases` in `dir`. */
export function aliasArguments(aliases: Readonly<Record<string, string>>, dir: string): string[] {
  return Object.entries(aliases).map(([pkg, file]) => `${pkg}=./${dir}/${file}`);
}

/** The `--alias` arguments of `bundling`, as a list (esbuild takes one value or many). */
export function aliasesOf(bundling: BundlingOptions | undefined): string[] {
  const value = bundling?.esbuildArgs?.['--alias'];
  if (value === undefined || typeof value === 'boolean') return [];
  return Array.isArray(value) ? value : [value];
}
