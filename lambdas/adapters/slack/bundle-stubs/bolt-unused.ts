import { unavailable } from '../../bundle-stubs/unavailable';

/**
 * A stand-in for one export of a package Bolt's entry point requires but only its other receivers and
 * installers call (Socket Mode, Express, HTTP server, OAuth): it throws if ever called.
 */
export function boltUnused(packageName: string, exportName: string): (...args: unknown[]) => never {
  return unavailable(
    packageName,
    exportName,
    'lib/slack-bundling.ts',
    "the Slack function uses only Bolt's AwsLambdaReceiver",
  );
}
