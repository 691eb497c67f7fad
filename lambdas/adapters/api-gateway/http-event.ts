import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errorBody, httpStatusOf } from '../../api/error-response';
import { StepUpError } from '../../domain/errors';
import { REFUSED_BEARER_KEY } from './authorizer-claims';
import { requireWorkloadSub } from '../../domain/agents/workload-identity';
import { parseStrictJson } from './strict-json';

/** The API Gateway HTTP API (payload v2) event our routes receive, after the JWT authorizer. */
export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
/** The structured result handlers return. */
export type HttpResult = APIGatewayProxyStructuredResultV2;

const MAX_BODY_BYTES = 64 * 1024;

/** A request header, matched case-insensitively. */
export function headerOf(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * The claims of the bearer JWT the authorizer verified (empty on public routes): the workload Lambda
 * authorizer's context (`authorizer.lambda`), or a JWT authorizer's claims (`authorizer.jwt.claims`).
 * @throws StepUpError `invalid_token` with the authorizer's reason when it refused the bearer
 */
export function claimsOf(event: HttpEvent): Readonly<Record<string, unknown>> {
  const authorizer = event.requestContext.authorizer as
    { lambda?: Record<string, unknown>; jwt?: { claims?: Record<string, unknown> } } | undefined;
  const refused = authorizer?.lambda?.[REFUSED_BEARER_KEY];
  if (typeof refused === 'string') throw new StepUpError('invalid_token', refused);
  return authorizer?.lambda ?? authorizer?.jwt?.claims ?? {};
}

/**
 * The authenticated workload (`sub` of the bearer JWT the authorizer verified), under the text
 * policy: the identity provider is trusted to say who the caller is, not to say it in safe text.
 * @throws StepUpError `invalid_token` when there is none, or it is not usable text
 */
export function callerOf(event: HttpEvent): string {
  const sub = claimsOf(event).sub;
  if (typeof sub !== 'string' || sub.length === 0) {
    // Only when the route is not behind the authorizer (a deployment error): API Gateway refuses first.
    throw new StepUpError('invalid_token', MISSING_BEARER);
  }
  return requireWorkloadSub(sub);
}

/**
 * The request body as an object: JSON, or form-encoded where `allowForm` (the OAuth endpoints). A
 * name given twice is refused in both, never resolved by picking one.
 * @throws StepUpError `invalid_request` on anything else
 */
export function bodyOf(event: HttpEvent, allowForm = false): unknown {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) {
    throw new StepUpError('invalid_request', `body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  const type = (headerOf(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (allowForm && type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(raw);
    // Null prototype: a field named __proto__ is kept (and caught as unknown), never swallowed.
    const body = Object.create(null) as Record<string, string>;
    for (const [key, value] of form) {
      // The name is raw input: not echoed (an unknown one is counted by the body's schema).
      if (Object.hasOwn(body, key))
        throw new StepUpError('invalid_request', 'a form field appears more than once');
      body[key] = value;
    }
    return body;
  }
  if (type !== 'application/json') {
    const accepted = allowForm ? 'application/json or application/x-www-form-urlencoded' : 'application/json';
    throw new StepUpError('invalid_request', `Content-Type must be ${accepted}`);
  }
  return parseStrictJson(raw);
}

/** A JSON response that is never cached (tokens and request state). */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** The description of a 401 when no bearer was sent at all. */
export const MISSING_BEARER = 'a workload bearer token is required (Authorization: Bearer <workload JWT>)';

/**
 * The RFC 6750 §3 challenge of a 401: `Bearer error="…", error_description="…"`, the description
 * limited to the characters the RFC allows in it (no quote or backslash).
 */
export function bearerChallenge(code: string, description: string): string {
  const safe = description.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?');
  return `Bearer error="${code}", error_description="${safe}"`;
}

/** Maps a thrown error to `{error, error_description}`; unexpected errors become an opaque 500. */
export function errorResult(error: unknown, log: (error: unknown) => void): HttpResult {
  const status = error instanceof StepUpError ? httpStatusOf(error.code) : 500;
  if (error instanceof StepUpError && status < 500) {
    const retry = error.retryAfterSeconds;
    const headers: Record<string, string> = {
      ...(status === 401 ? { 'www-authenticate': bearerChallenge(error.code, error.message) } : {}),
      // A 429 says when asking again can succeed (RFC 6585 §4).
      ...(retry ? { 'retry-after': String(retry) } : {}),
    };
    return json(status, errorBody(error), headers);
  }
  log(error);
  if (error instanceof StepUpError) {
    const retry = error.retryAfterSeconds;
    return json(status, errorBody(error), retry ? { 'retry-after': String(retry) } : {});
  }
  return json(500, {
    error: 'server_error',
    error_description: 'an internal error occurred; it has been logged',
  });
}
