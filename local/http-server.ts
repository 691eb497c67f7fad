import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpEvent, HttpResult } from '../lambdas/adapters/api-gateway/http-event';
import { BodyTooLargeError, readBody, toHttpEvent, type AuthorizerClaims } from './api-gateway-event';

/** A route served by a Lambda handler, as API Gateway would route it. */
export interface LambdaRoute {
  readonly method: string;
  /** API Gateway style, e.g. `/v1/requests/{id}`. */
  readonly path: string;
  /** Behind the JWT authorizer. */
  readonly auth: boolean;
  readonly handler: (event: HttpEvent) => Promise<HttpResult>;
}

/** A local-only route (dev tools, the Slack stand-in) that takes the parsed body directly. */
export interface LocalRoute {
  readonly method: string;
  readonly path: string;
  readonly handle: (
    body: string,
    request: IncomingMessage,
    params: Record<string, string>,
  ) => Promise<{ status: number; body: unknown; contentType?: string; headers?: Record<string, string> }>;
}

/** The local stand-in for the HTTP API's JWT authorizer: claims for a valid bearer, else undefined. */
export type Authorizer = (bearer: string) => Promise<AuthorizerClaims | undefined>;

function compile(path: string): RegExp {
  const pattern = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)');
  return new RegExp(`^${pattern}$`);
}

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  response.writeHead(status, { 'content-length': Buffer.byteLength(body).toString(), ...headers });
  response.end(body);
}

function sendError(response: ServerResponse, status: number, error: string, description: string): void {
  send(response, status, JSON.stringify({ error, error_description: description }), {
    'content-type': 'application/json',
    ...(status === 401 ? { 'www-authenticate': `Bearer error="${error}"` } : {}),
  });
}

/**
 * An HTTP server that plays API Gateway for the Lambda handlers (route matching, JWT authorizer,
 * payload-v2 events) and also serves local-only routes. Listens on `host:port` (0 = any free port).
 */
export async function startHttpServer(
  lambdaRoutes: readonly LambdaRoute[],
  localRoutes: readonly LocalRoute[],
  authorize: Authorizer,
  port: number,
  host: string,
  onError: (error: unknown) => void,
): Promise<{ server: Server; url: string }> {
  const compiled = lambdaRoutes.map((route) => ({ route, regex: compile(route.path) }));
  const compiledLocal = localRoutes.map((route) => ({ route, regex: compile(route.path) }));

  const server = createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const method = request.method ?? 'GET';
      const body = await readBody(request);
      for (const { route, regex } of compiledLocal) {
        const match = route.method === method ? regex.exec(path) : null;
        if (!match) continue;
        const result = await route.handle(body, request, { ...match.groups });
        const text = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
        send(response, result.status, text, {
          'content-type': result.contentType ?? 'application/json',
          ...result.headers,
        });
        return;
      }
      const candidates = compiled.filter(({ regex }) => regex.test(path));
      const hit = candidates.find(({ route }) => route.method === method);
      if (!hit) {
        if (candidates.length > 0)
          sendError(response, 405, 'invalid_request', `${method} is not allowed on ${path}`);
        else sendError(response, 404, 'not_found', `no route for ${method} ${path}`);
        return;
      }
      let claims: AuthorizerClaims | undefined;
      if (hit.route.auth) {
        const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
        claims = bearer ? await authorize(bearer) : undefined;
        if (!claims) {
          sendError(response, 401, 'invalid_token', 'a valid workload bearer token is required');
          return;
        }
      }
      const params = { ...hit.regex.exec(path)?.groups };
      const routeKey = `${hit.route.method} ${hit.route.path}`;
      const result = await hit.route.handler(toHttpEvent(request, body, routeKey, params, claims));
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(result.headers ?? {})) headers[key] = String(value);
      send(response, result.statusCode ?? 200, result.body ?? '', headers);
    })().catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        sendError(response, 413, 'invalid_request', error.message);
        return;
      }
      onError(error);
      if (!response.headersSent)
        sendError(response, 500, 'server_error', 'an internal error occurred; it has been logged');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host}:${address.port}` };
}
