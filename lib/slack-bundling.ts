import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { aliasArguments } from './lambda-bundle-aliases';

/** Handler file (under `lambdas/handlers/`) of the Slack ingress: the only function that bundles Bolt. */
export const SLACK_INGRESS_HANDLER = 'slack-events';

/** The stub modules, relative to the project root (the working directory esbuild runs in). */
export const SLACK_BUNDLE_STUBS_DIR = 'lambdas/adapters/slack/bundle-stubs';

/**
 * Packages that `@slack/bolt`'s entry point requires at load time but that only receivers and
 * installers the Lambda never constructs call, each mapped to its stub file in
 * {@link SLACK_BUNDLE_STUBS_DIR}. Every stub export throws a clear error if it is ever called.
 *
 * - `@slack/socket-mode`: SocketModeReceiver's client (pulls in undici, ~540 KB minified).
 * - `express`: ExpressReceiver's server (body-parser, send, mime-db, qs, iconv-lite, …).
 * - `raw-body`: request-stream reading for the HTTP and Express receivers (iconv-lite, ~490 KB).
 * - `@slack/oauth`: InstallProvider and installation stores for multi-workspace apps (jsonwebtoken).
 * - `path-to-regexp`: `customRoutes` matching in the HTTP and Socket Mode receivers.
 *
 * What stays real: `App`, `AwsLambdaReceiver` (signature verification with `tsscmp`), listener
 * routing, the memory conversation store, `@slack/web-api` and `@slack/logger`.
 */
export const SLACK_BUNDLE_STUBS: Readonly<Record<string, string>> = {
  '@slack/socket-mode': 'socket-mode.ts',
  express: 'express.ts',
  'raw-body': 'raw-body.ts',
  '@slack/oauth': 'oauth.ts',
  'path-to-regexp': 'path-to-regexp.ts',
};

/**
 * esbuild options for the Slack ingress function, merged over the house defaults: every package in
 * {@link SLACK_BUNDLE_STUBS} is aliased to its stub (`--alias:pkg=./path`, which esbuild resolves
 * from its working directory: see `HOUSE_BUNDLING`).
 */
export function slackBundling(): BundlingOptions {
  return {
    esbuildArgs: {
      '--alias': aliasArguments(SLACK_BUNDLE_STUBS, SLACK_BUNDLE_STUBS_DIR),
    },
  };
}
