import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { StepUpClient } from '../agent';
import { createStepUpMcpServer } from './server';

/**
 * Longest wait of one tool call on the remote endpoint, and its default: in AWS the HTTP API answers
 * within 30 s, so a call must answer sooner (the model goes on with check_elevation).
 */
export const REMOTE_WAIT_SECONDS = 20;

/**
 * Answers one MCP Streamable HTTP request (`POST /mcp`) statelessly, with a JSON response (no SSE, no
 * session): a fresh server for this request only, acting as the agent `client` authenticates as. MCP
 * tasks are not offered here: nothing outlives the request.
 */
export async function answerMcpRequest(client: StepUpClient, request: Request): Promise<Response> {
  const server = createStepUpMcpServer({
    client,
    defaultWaitSeconds: REMOTE_WAIT_SECONDS,
    maxWaitSeconds: REMOTE_WAIT_SECONDS,
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
