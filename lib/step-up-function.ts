import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The repository root: handlers and the lock file are resolved from here, not from the working directory. */
export const PROJECT_ROOT = join(__dirname, '..');

/** Options for {@link buildStepUpFunction}. */
export interface StepUpFunctionProps {
  /** Handler file name under `lambdas/handlers/`, without extension (e.g. `create-request`). */
  readonly handlerFile: string;
  /** Retention of the function's own log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Extra esbuild options merged over the house defaults (e.g. `commandHooks` to copy a wasm asset).
   * @default - house defaults only
   */
  readonly bundling?: BundlingOptions;
}

/**
 * A NodejsFunction with the house defaults: Node 22 on ARM64, minified esbuild bundle with source maps,
 * `@aws-sdk/*` left to the runtime, an explicit log group with retention, and a dedicated role that
 * may write only to that log group (no `AWSLambdaBasicExecutionRole`, whose `logs:*` on `*` is broader
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
    entry: join(PROJECT_ROOT, 'lambdas', 'handlers', `${props.handlerFile}.ts`),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    // Slack's 3 s ack budget is met by the handler itself; this only bounds a stuck downstream call.
    timeout: Duration.seconds(10),
    // 128 MB gets a fraction of a vCPU, which makes ES256 signing and cold starts slow.
    memorySize: 256,
    role,
    logGroup,
    environment: {
      POWERTOOLS_SERVICE_NAME: 'stepup',
      NODE_OPTIONS: '--enable-source-maps',
    },
    bundling: {
      minify: true,
      sourceMap: true,
      // Stack traces only need file:line; embedding sources would double the asset size.
      sourcesContent: false,
      target: 'node22',
      externalModules: ['@aws-sdk/*'],
      // There is no Docker engine on build machines; the esbuild devDependency is the bundler.
      forceDockerBundling: false,
      ...props.bundling,
    },
  });
}
