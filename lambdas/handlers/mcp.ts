import { StepUpClient } from '../../client/agent';
import { answerMcpRequest } from '../../client/mcp/remote';
import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { headerOf, type HttpEvent, type HttpResult } from '../adapters/api-gateway/http-event';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { ENV, requireEnv } from '../adapters/env';
import { envAdmission } from '../adapters/env-admission';
import { MCP_PATH } from '../api/protected-resource-metadata';
import type { AgentAdmission } from '../domain/agents/agent-admission';
import { StepUpError } from '../domain/errors';

const MAX_BODY_BYTES = 64 * 1024;

/** The API Gateway event as the web `Request` the MCP SDK's Streamable HTTP transport reads. */
function webRequest(event: HttpEvent, apiUrl: string): Request {
  const body = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    throw new StepUpError('invalid_request', `body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined && name.toLowerCase() !== 'content-length') headers.set(name, value);
  }
  const method = event.requestContext.http.method;
  return new Request(`${apiUrl}${MCP_PATH}`, {
    method,
    headers,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
  });
}

/**
 * `POST /mcp`: the stepup MCP server over Streamable HTTP, stateless, JSON responses. The agent's
 * workload JWT is the MCP bearer (checked by the authorizer, then admitted); the tools act as that agent
 * by calling the API at `apiUrl` with the same token, so every rule of the API applies unchanged.
 */
export function mcpHandler(deps: {
  readonly admission: AgentAdmission;
  readonly apiUrl: string;
  readonly fetch?: typeof fetch;
}) {
  return authenticatedRoute(deps.admission, async (event): Promise<HttpResult> => {
    const bearer = /^Bearer (.+)$/i.exec(headerOf(event, 'authorization') ?? '')?.[1];
    if (!bearer) throw new StepUpError('invalid_token', 'a workload bearer token is required');
    const client = new StepUpClient({ baseUrl: deps.apiUrl, token: bearer, fetch: deps.fetch });
    const response = await answerMcpRequest(client, webRequest(event, deps.apiUrl));
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    return { statusCode: response.status, headers, body: await response.text() };
  });
}

export const handler = lazyHandler(() =>
  mcpHandler({ admission: envAdmission(), apiUrl: requireEnv(ENV.tokenIssuer) }),
);
