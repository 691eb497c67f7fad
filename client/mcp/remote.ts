import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { MCP_WAIT_MAX_SECONDS } from '../../lambdas/contract';
import type { StepUpClient } from '../agent';
import { createStepUpMcpServer } from './server';

/**
 * Answers one MCP Streamable HTTP request (`POST /mcp`) statelessly, with a JSON response (no SSE, no
 * session): a fresh server for this request only, acting as the agent `client` authenticates as. MCP
 * tasks are not offered here: nothing outlives the request.
 */
export async function answerMcpRequest(client: StepUpClient, request: Request): Promise<Response> {
  const server = createStepUpMcpServer({
    client,
    defaultWaitSeconds: MCP_WAIT_MAX_SECONDS,
    maxWaitSeconds: MCP_WAIT_MAX_SECONDS,
  });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    await server.close();
  }
}
