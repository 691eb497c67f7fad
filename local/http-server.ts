import { bearerChallenge, MISSING_BEARER } from '../lambdas/adapters/api-gateway/http-event';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpEvent, HttpResult } from '../lambdas/adapters/api-gateway/http-event';
import { StepUpError } from '../lambdas/domain/errors';
import { allowedHosts, type HostCheck } from './allowed-hosts';
import { BodyTooLargeError, readBody, toHttpEvent, type AuthorizerClaims } from './api-gateway-event';
import { answerClientError } from './client-error';
import { HttpError } from './http-error';
import { parseRequestTarget } from './request-target';
import { SECURITY_HEADERS } from './security-headers';

/** A route served by a Lambda handler, as API Gateway would route it. */
export interface LambdaRoute {
  readonly method: string;
  /** API Gateway style, e.g. `/v1/requests/{id}`. */
  readonly path: string;
  /** Behind the JWT authorizer. */
  readonly auth: boolean;
  /** Also served at the public URL a tunnel forwards (Slack's ingress); every other route is not. */
  readonly public?: boolean;
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

/**
 * The local stand-in for the HTTP API's JWT authorizer: the claims of a valid bearer; otherwise it
 * throws `StepUpError('invalid_token', why)`.
 */
export type Authorizer = (bearer: string) => Promise<AuthorizerClaims>;

/** What the server serves, where, and for whom. */
export interface HttpServerOptions {
  readonly lambdaRoutes: readonly LambdaRoute[];
  readonly localRoutes: readonly LocalRoute[];
  readonly authorize: Authorizer;
  /** 0 = any free port. */
  readonly port: number;
  readonly host: string;
  /** A tunnel's public base URL, at which only {@link LambdaRoute.public} routes are served. */
  readonly publicUrl?: URL;
  /** Unexpected failures (answered 500); a {@link StepUpError} is an answer, not a failure. */
  readonly onError: (error: unknown) => void;
}

function compile(path: string): RegExp {
  const pattern = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)');
  return new RegExp(`^${pattern}$`);
}

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-length': Buffer.byteLength(body).toString(),
    ...headers,
  });
  response.end(body);
}

function sendError(response: ServerResponse, error: HttpError): void {
  send(response, error.status, JSON.stringify({ error: error.code, error_description: error.message }), {
    'content-type': 'application/json',
    ...(error.status === 401 ? { 'www-authenticate': bearerChallenge(error.code, error.message) } : {}),
    ...error.headers,
  });
}

/** What a failed request is answered with; unexpected failures are reported and stay opaque. */
function answerFor(error: unknown, onError: (error: unknown) => void): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof StepUpError) return HttpError.from(error);
  if (error instanceof BodyTooLargeError) return new HttpError(413, 'invalid_request', error.message);
  onError(error);
  return new HttpError(500, 'server_error', 'an internal error occurred; it has been logged');
}

/**
 * An HTTP server that plays API Gateway for the Lambda handlers (route matching, JWT authorizer,
 * payload-v2 events) and also serves local-only routes. It answers only requests addressed to it
 * by a loopback name (see {@link allowedHosts}), and a failure to parse a request, or a
 * {@link StepUpError} from any route (`temporarily_unavailable` while starting), in the
 * `{error, error_description}` shape.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<{ server: Server; url: string }> {
  const { lambdaRoutes, localRoutes, authorize, port, host, publicUrl, onError } = options;
  const compiled = lambdaRoutes.map((route) => ({ route, regex: compile(route.path) }));
  const compiledLocal = localRoutes.map((route) => ({ route, regex: compile(route.path) }));
  // The port is known once the server listens (0 = any free one); nothing arrives before that.
  let hostCheck: HostCheck = () => 'refused';

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const audience = hostCheck(request.headers.host);
    if (audience === 'refused') {
      // 421 Misdirected Request: this server is not the one the Host names (a DNS-rebinding page).
      throw new HttpError(421, 'invalid_request', 'this server answers only at its loopback address');
    }
    const target = parseRequestTarget(request.url);
    if (!target) throw new HttpError(400, 'invalid_request', 'the request target must be a valid path');
    const { path } = target;
    const method = request.method ?? 'GET';
    const body = await readBody(request);
    if (audience === 'local') {
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
    }
    const candidates = compiled.filter(
      ({ route, regex }) => (audience === 'local' || route.public === true) && regex.test(path),
    );
    const hit = candidates.find(({ route }) => route.method === method);
    if (!hit) {
      if (candidates.length > 0) throw new HttpError(405, 'invalid_request', 'method not allowed here');
      throw new HttpError(404, 'not_found', 'no such route');
    }
    let claims: AuthorizerClaims | undefined;
    if (hit.route.auth) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (!bearer) throw new HttpError(401, 'invalid_token', MISSING_BEARER);
      claims = await authorize(bearer);
    }
    const params = { ...hit.regex.exec(path)?.groups };
    const routeKey = `${hit.route.method} ${hit.route.path}`;
    const result = await hit.route.handler(toHttpEvent(request, target, body, routeKey, params, claims));
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(result.headers ?? {})) headers[key] = String(value);
    send(response, result.statusCode ?? 200, result.body ?? '', headers);
  };

  const server = createServer(
    // A request without Host is refused by the Host check, in the API's error shape.
    { requireHostHeader: false },
    (request, response) => {
      serve(request, response).catch((error: unknown) => {
        if (response.headersSent) onError(error);
        else sendError(response, answerFor(error, onError));
      });
    },
  );
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  hostCheck = allowedHosts(address.port, publicUrl);
  return { server, url: `http://${host}:${address.port}` };
}
