import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HttpEvent } from '../lambdas/adapters/api-gateway/http-event';
import type { RequestTarget } from './request-target';

/** Far above any body the API accepts (handlers refuse more than 64 KB); a guard against floods. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A body over {@link MAX_BODY_BYTES}. */
export class BodyTooLargeError extends Error {
  constructor() {
    super(`request body exceeds ${MAX_BODY_BYTES} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** Reads a request body, refusing more than {@link MAX_BODY_BYTES}. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What the local authorizer established about the caller: the verified claims, rendered as strings. */
export type AuthorizerClaims = Record<string, string>;

/**
 * The API Gateway HTTP API payload-v2 event for a local request, as the deployed Lambdas receive
 * it: lower-cased headers, route key, path parameters and the workload authorizer's claims.
 */
export function toHttpEvent(
  request: IncomingMessage,
  target: RequestTarget,
  body: string,
  routeKey: string,
  pathParameters: Record<string, string>,
  claims: AuthorizerClaims | undefined,
): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: target.path,
    rawQueryString: target.query,
    headers,
    queryStringParameters: Object.fromEntries(target.searchParams),
    pathParameters,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: target.path,
        protocol: 'HTTP/1.1',
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      // As the Lambda authorizer's simple response reaches the route (`requestContext.authorizer.lambda`).
      ...(claims ? { authorizer: { lambda: claims } } : {}),
    },
  } as unknown as HttpEvent;
}
