/** Bundle stub for `ajv-formats`: the formats the MCP SDK adds to its `ajv` (see `ajv.ts`). */
import { mcpUnused } from './mcp-unused';

const addFormats = mcpUnused('ajv-formats', 'addFormats()');
export default addFormats;
