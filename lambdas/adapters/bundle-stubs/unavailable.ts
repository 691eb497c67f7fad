/** `code` of the error every bundle stub throws. */
export const BUNDLE_STUB_ERROR_CODE = 'STEPUP_BUNDLE_STUB';

/**
 * Stands in for one export of a package that a Lambda bundle leaves out: a package that something in
 * the bundle requires at load time but only calls on a path stepup's functions never take (see
 * `lib/slack-bundling.ts` and `lib/lambda-bundle-aliases.ts`). Called, or constructed with `new`, the
 * stand-in throws at once, naming the package and where its alias is declared, so an upgrade or a new
 * code path that starts using it fails loudly instead of oddly.
 * @param declaredIn the file that aliases the package to this stub (where to remove it)
 * @example
 * export const match = unavailable('path-to-regexp', 'match', 'lib/slack-bundling.ts', "Bolt's AwsLambdaReceiver has no custom routes");
 */
export function unavailable(
  packageName: string,
  exportName: string,
  declaredIn: string,
  why: string,
): (...args: unknown[]) => never {
  const stub = function () {
    const error = new Error(
      `${packageName} (${exportName}) is not in stepup's Lambda bundle: ${why}. ` +
        `If it is needed now, remove its alias from ${declaredIn}.`,
    );
    throw Object.assign(error, { code: BUNDLE_STUB_ERROR_CODE });
  };
  Object.defineProperty(stub, 'name', { value: exportName });
  return stub;
}
