import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';

/**
 * The JSON Schema validator stepup's MCP server gives the SDK. The SDK validates only an elicitation's
 * answer with it, and this server never elicits (the humans it needs are asked in Slack, never
 * through the agent). Without it the SDK builds an `Ajv` for every server; the Lambda bundle leaves
 * `ajv` out (`lib/mcp-bundling.ts`).
 */
export const NO_ELICITATION: jsonSchemaValidator = {
  getValidator() {
    throw new Error("stepup's MCP server never elicits: there is no elicitation answer to validate");
  },
};
