/**
 * Bundle stub for `ajv` (with fast-uri and json-schema-traverse): the MCP SDK's default JSON Schema
 * validator, which its server uses only for elicitation answers.
 */
import { mcpUnused } from './mcp-unused';

const Ajv = mcpUnused('ajv', 'Ajv');
export default Ajv;
