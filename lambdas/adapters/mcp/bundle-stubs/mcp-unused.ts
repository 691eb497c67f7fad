import { unavailable } from '../../bundle-stubs/unavailable';

/**
 * A stand-in for one export of a package the MCP SDK's server imports but only calls to validate an
 * elicitation's answer: stepup's server never elicits, and is given a validator that says so
 * (`client/mcp/no-elicitation.ts`). It throws if ever called.
 */
export function mcpUnused(packageName: string, exportName: string): (...args: unknown[]) => never {
  return unavailable(packageName, exportName, 'lib/mcp-bundling.ts', "stepup's MCP server never elicits");
}
