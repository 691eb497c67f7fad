import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { join } from 'node:path';
import { ENV } from '../lambdas/adapters/env';
import {
  BROWSER_LIBRARY_FILE,
  BROWSER_LIBRARY_IN_PACKAGE,
} from '../lambdas/adapters/passkey/browser-library';
import type { StepUpConfig } from '../lambdas/domain/config/config';
import { grantSlackSecret, grantTable, grantWorkflowCallback, setConfig } from './grants';
import { PROJECT_ROOT } from './step-up-function';

const quote = (path: string) => `'${path.replace(/'/g, `'\\''`)}'`;

/** The approval assets function ships `@simplewebauthn/browser`'s bundle beside its own, to serve it. */
export function passkeyAssetBundling(): BundlingOptions {
  const library = join(PROJECT_ROOT, 'node_modules', BROWSER_LIBRARY_IN_PACKAGE);
  return {
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => [
        `cp ${quote(library)} ${quote(`${outputDir}/${BROWSER_LIBRARY_FILE}`)}`,
      ],
    },
  };
}

/** `STEPUP_PUBLIC_URL`: approval page links and the WebAuthn relying party; no permission needed. */
export function setPublicUrl(fn: lambda.Function, publicUrl: string): void {
  fn.addEnvironment(ENV.publicUrl, publicUrl);
}

/** The functions of the passkey path, by route name. */
export interface PasskeyFunctions {
  readonly approvalPage: lambda.Function;
  readonly approvalConfirm: lambda.Function;
  readonly passkeysRevoke: lambda.Function;
  readonly slackEvents: lambda.Function;
}

/**
 * Grants of the passkey path. The page reads the request and writes the link's challenge; the
 * confirmation records the vote as the Slack function does (table, Slack secret for the message
 * update and the people directory, `SendTask*` to resume the workflow); the operator's revocation
 * writes only the table; the Slack function hands out links on the public URL.
 */
export function grantPasskeyFunctions(
  fns: PasskeyFunctions,
  resources: {
    readonly table: dynamodb.ITable;
    readonly slackSecret: secretsmanager.ISecret;
    readonly stateMachine: sfn.IStateMachine;
    readonly config: StepUpConfig;
    readonly publicUrl: string;
  },
): void {
  grantTable(fns.approvalPage, resources.table, 'readWrite');
  setPublicUrl(fns.approvalPage, resources.publicUrl);

  grantTable(fns.approvalConfirm, resources.table, 'readWrite');
  grantSlackSecret(fns.approvalConfirm, resources.slackSecret);
  grantWorkflowCallback(fns.approvalConfirm, resources.stateMachine);
  setConfig(fns.approvalConfirm, resources.config);
  setPublicUrl(fns.approvalConfirm, resources.publicUrl);

  grantTable(fns.passkeysRevoke, resources.table, 'readWrite');
  setConfig(fns.passkeysRevoke, resources.config);

  setPublicUrl(fns.slackEvents, resources.publicUrl);
}
