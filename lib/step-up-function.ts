import { join } from 'node:path';
import { AssetStaging, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import { SERVICE_NAME } from '../lambdas/ports/operational-metrics';
import {
  aliasArguments,
  aliasesOf,
  LAMBDA_BUNDLE_ALIASES,
  LAMBDA_BUNDLE_ALIASES_DIR,
} from './lambda-bundle-aliases';
import { MCP_HANDLER, mcpBundling } from './mcp-bundling';
import { SLACK_INGRESS_HANDLER, slackBundling } from './slack-bundling';

/** The repository root: handlers and the lock file are resolved from here, not from the working directory. */
export const PROJECT_ROOT = join(__dirname, '..');

/** The house esbuild options of every function (see {@link handlerBundling} for per-function additions). */
export const HOUSE_BUNDLING: BundlingOptions = {
  minify: true,
  // Shipped beside index.js for mapping a logged stack trace, not loaded at run time (see below).
  sourceMap: true,
  // Stack traces only need file:line; embedding sources would double the asset size.
  sourcesContent: false,
  target: 'node22',
  // The AWS SDK is bundled, not left to the runtime's copy: one minified file is parsed instead of
  // hundreds of modules resolved and read from disk, and the SDK's ES module builds let esbuild drop
  // what a function never calls (`npm run bench:coldstart`: ~50 ms less `require` per SDK client).
  // It also pins the SDK to the lock file's version instead of whatever the runtime ships.
  externalModules: [],
  // ES module builds first (the SDK's `dist-es`), so tree shaking works; CommonJS where there is none.
  mainFields: ['module', 'main'],
  // Packages no Lambda path runs, replaced (`lib/lambda-bundle-aliases.ts`). esbuild resolves an
  // alias's `./path` from its working directory: the project root when bundling locally, and (read by
  // Docker bundling only) the asset input directory in the Docker fallback.
  esbuildArgs: { '--alias': aliasArguments(LAMBDA_BUNDLE_ALIASES, LAMBDA_BUNDLE_ALIASES_DIR) },
  workingDirectory: AssetStaging.BUNDLING_INPUT_DIR,
  // There is no Docker engine on build machines; the esbuild devDependency is the bundler.
  forceDockerBundling: false,
};

/** Stubs of packages one function's bundle leaves out, by handler file. */
const HANDLER_STUBS: Readonly<Record<string, () => BundlingOptions>> = {
  [SLACK_INGRESS_HANDLER]: slackBundling,
  [MCP_HANDLER]: mcpBundling,
};

/**
 * The bundling options a handler's function is built with: the house defaults, then that handler's
 * own stubs (the Slack ingress's, `lib/slack-bundling.ts`; the MCP server's, `lib/mcp-bundling.ts`),
 * then `extra`. The `--alias` arguments of all three are kept together; other options of a later
 * one replace an earlier one's.
 */
export function handlerBundling(handlerFile: string, extra?: BundlingOptions): BundlingOptions {
  const layers = [HOUSE_BUNDLING, HANDLER_STUBS[handlerFile]?.() ?? {}, extra ?? {}];
  const merged: BundlingOptions = Object.assign({}, ...layers);
  return {
    ...merged,
    esbuildArgs: { ...merged.esbuildArgs, '--alias': layers.flatMap(aliasesOf) },
  };
}

/** The entry file of a handler. */
export function handlerEntry(handlerFile: string): string {
  return join(PROJECT_ROOT, 'lambdas', 'handlers', `${handlerFile}.ts`);
}

/** Bundling options that only act outside `index.js` (Docker, asset hooks, build logs). */
const OUTSIDE_THE_BUNDLE = new Set(['forceDockerBundling', 'commandHooks', 'workingDirectory', 'logLevel']);
/** Bundling options {@link esbuildBuildOptions} translates. */
const TRANSLATED = new Set([
  'minify',
  'sourceMap',
  'sourceMapMode',
  'sourcesContent',
  'target',
  'format',
  'externalModules',
  'define',
  'loader',
  'keepNames',
  'banner',
  'footer',
  'mainFields',
  'inject',
  'esbuildArgs',
]);

/** `--alias` values (`pkg=path`, one or many) as esbuild's `alias` option. */
function aliases(value: string | boolean | string[]): Record<string, string> {
  const entries = (Array.isArray(value) ? value : [String(value)]).map((alias) => {
    const at = alias.indexOf('=');
    if (at <= 0) throw new Error(`esbuildBuildOptions: --alias ${alias} is not pkg=path`);
    return [alias.slice(0, at), alias.slice(at + 1)] as const;
  });
  return Object.fromEntries(entries);
}

/**
 * The esbuild build that NodejsFunction's local bundling runs for `bundling` (the flags of its
 * `esbuild --bundle <entry> --platform=node --outfile=<outdir>/index.js …` command, run in the project
 * root), so the bench and tests measure exactly what is deployed. Throws on a bundling option it does
 * not translate rather than silently building something else.
 */
export function esbuildBuildOptions(
  handlerFile: string,
  bundling: BundlingOptions,
  outdir: string,
  entry: string = handlerEntry(handlerFile),
): BuildOptions {
  for (const [key, value] of Object.entries(bundling)) {
    if (value === undefined || OUTSIDE_THE_BUNDLE.has(key) || TRANSLATED.has(key)) continue;
    throw new Error(`esbuildBuildOptions: bundling option ${key} is not translated`);
  }
  let alias: Record<string, string> | undefined;
  for (const [arg, value] of Object.entries(bundling.esbuildArgs ?? {})) {
    if (arg !== '--alias') throw new Error(`esbuildBuildOptions: esbuild argument ${arg} is not translated`);
    alias = aliases(value);
  }
  // NodejsFunction derives a missing target from the runtime; the bench cannot, so it must be set.
  if (!bundling.target) throw new Error('esbuildBuildOptions: bundling.target must be set');
  // NodejsFunction: `sourceMapMode ?? sourceMap` turns it on; the default mode is a bare `--sourcemap`.
  const sourceMapOn = bundling.sourceMapMode ?? bundling.sourceMap;
  const mode = bundling.sourceMapMode ?? SourceMapMode.DEFAULT;
  const sourcemap = !sourceMapOn ? undefined : mode === SourceMapMode.DEFAULT ? true : mode;
  return {
    entryPoints: [entry],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    // esbuild's default for a node bundle, which NodejsFunction relies on when `format` is unset.
    format: bundling.format ?? 'cjs',
    target: bundling.target,
    outfile: join(outdir, 'index.js'),
    minify: bundling.minify,
    sourcemap,
    // NodejsFunction passes `--sources-content=false` only when false.
    sourcesContent: bundling.sourcesContent,
    external: bundling.externalModules,
    define: bundling.define,
    loader: bundling.loader as BuildOptions['loader'],
    keepNames: bundling.keepNames,
    banner: bundling.banner === undefined ? undefined : { js: bundling.banner },
    footer: bundling.footer === undefined ? undefined : { js: bundling.footer },
    mainFields: bundling.mainFields,
    inject: bundling.inject,
    alias,
    logLevel: 'silent',
  };
}

/** Options for {@link buildStepUpFunction}. */
export interface StepUpFunctionProps {
  /** Handler file name under `lambdas/handlers/`, without extension (e.g. `create-request`). */
  readonly handlerFile: string;
  /** Retention of the function's own log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Extra esbuild options merged over {@link handlerBundling}'s (e.g. `commandHooks` to copy a wasm asset).
   * @default - {@link handlerBundling}'s only
   */
  readonly bundling?: BundlingOptions;
  /**
   * How long one invocation may run.
   * @default 10 seconds
   */
  readonly timeout?: Duration;
}

/**
 * A NodejsFunction with the house defaults: Node 22 on ARM64, minified esbuild bundle with a source map beside it,
 * X-Ray active tracing, the AWS SDK bundled (for the Slack ingress also Bolt's never-loaded packages stubbed, see
 * {@link handlerBundling}), an explicit log group with retention, and a dedicated role that may write
 * only to that log group (no `AWSLambdaBasicExecutionRole`, whose `logs:*` on `*` is broader
 * than one function needs). Everything else is granted by the helpers in `grants.ts`.
 */
export function buildStepUpFunction(
  scope: Construct,
  id: string,
  props: StepUpFunctionProps,
): NodejsFunction {
  const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, { retention: props.logRetention });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `stepup ${props.handlerFile} handler`,
  });
  logGroup.grantWrite(role);

  return new NodejsFunction(scope, id, {
    entry: handlerEntry(props.handlerFile),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    // Slack's 3 s ack budget is met by the handler itself; this only bounds a stuck downstream call.
    timeout: props.timeout ?? Duration.seconds(10),
    // 128 MB gets a fraction of a vCPU, which makes ES256 signing and cold starts slow.
    memorySize: 256,
    role,
    logGroup,
    // A segment per invocation with no library; the Powertools tracer adds subsegments inside it.
    tracing: lambda.Tracing.ACTIVE,
    // No `NODE_OPTIONS=--enable-source-maps`: Node would read and decode the bundle's source map in
    // every new container, ~40 ms of a 140–230 ms `require` (npm run bench:coldstart). The map stays
    // beside index.js in the asset; README, Benchmarks, says how to map a logged stack trace with it.
    environment: {
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    },
    bundling: handlerBundling(props.handlerFile, props.bundling),
  });
}
