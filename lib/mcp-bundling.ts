import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { aliasArguments } from './lambda-bundle-aliases';

/** Handler file (under `lambdas/handlers/`) of the remote MCP server. */
export const MCP_HANDLER = 'mcp';

/** The stub modules, relative to the project root (the working directory esbuild runs in). */
export const MCP_BUNDLE_STUBS_DIR = 'lambdas/adapters/mcp/bundle-stubs';

/**
 * Packages the MCP SDK's server imports at load time but calls only to validate an elicitation's
 * answer, each mapped to its stub in {@link MCP_BUNDLE_STUBS_DIR}: stepup's server never elicits and
 * passes its own validator (`client/mcp/no-elicitation.ts`), so the SDK never builds an `Ajv`.
 * ~135 KB less for V8 to compile in every new container (`npm run bench:coldstart`).
 */
export const MCP_BUNDLE_STUBS: Readonly<Record<string, string>> = {
  ajv: 'ajv.ts',
  'ajv-formats': 'ajv-formats.ts',
};

/** esbuild options for the MCP function, merged over the house defaults (see `handlerBundling`). */
export function mcpBundling(): BundlingOptions {
  return { esbuildArgs: { '--alias': aliasArguments(MCP_BUNDLE_STUBS, MCP_BUNDLE_STUBS_DIR) } };
}
