/** `code` of the error every bundle stub throws. */
export const BUNDLE_STUB_ERROR_CODE = 'STEPUP_SLACK_BUNDLE_STUB';

/**
 * Stands in for one export of a package that the Slack ingress bundle leaves out (see
 * `lib/slack-bundling.ts`). Bolt's entry point requires these packages at load time but only calls
 * them from receivers and installers that stepup's Lambda never constructs (Socket Mode, Express,
 * HTTP server, OAuth). Called, or constructed with `new`, the stand-in throws at once, naming the
 * package, so a Bolt upgrade or a new code path that starts using one fails loudly instead of oddly.
 */
export function unavailable(packageName: string, exportName: string): (...args: unknown[]) => never {
  const stub = function () {
    const error = new Error(
      `${packageName} (${exportName}) is not in stepup's Slack Lambda bundle: the function uses only ` +
        `Bolt's AwsLambdaReceiver. If Bolt now needs it, remove its stub from lib/slack-bundling.ts.`,
    );
    throw Object.assign(error, { code: BUNDLE_STUB_ERROR_CODE });
  };
  Object.defineProperty(stub, 'name', { value: exportName });
  return stub;
}
