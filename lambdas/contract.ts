/*
 * The agent-facing contract that both the server and `client/` speak: error codes, token claim names
 * and the grant type. Declared once here; this module imports nothing, so the client can use it
 * without pulling in server code.
 */

/** RFC 8693 `requested_token_type` (and `issued_token_type`) of `POST /v1/credentials/aws`. */
export const AWS_CREDENTIALS_TOKEN_TYPE = 'urn:stepup:params:oauth:token-type:aws-credentials';

/** RFC 8693 §2.1's grant type, the `grant_type` of `POST /v1/credentials/aws`. */
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** RFC 8693 §3: the `subject_token_type` of the exchange (the stepup token is an OAuth access token). */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** The CIBA grant type `POST /v1/token` accepts (OpenID CIBA §10.1). */
export const CIBA_GRANT_TYPE = 'urn:openid:params:grant-type:ciba';

/**
 * The Deferred Token Response draft (draft-ietf-oauth-deferred-token-response-01): the grant type
 * that polls a deferred request by its `deferral_code`.
 */
export const DEFERRED_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:deferred';

/** The DTR `completion_mode` that asks for a deferred answer instead of a token or an error. */
export const DEFERRED_COMPLETION_MODE = 'deferred';

/** The RFC 7009 `token_type_hint` that cancels a deferred request by its `deferral_code` (DTR). */
export const DEFERRAL_CODE_TOKEN_TYPE = 'deferral_code';

/** RFC 8693 §3: the `subject_token_type` of a deferred request (the agent's workload JWT). */
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

/**
 * The longest `wait` (seconds) `POST /v1/token` holds a poll for a decision (long-poll). API Gateway
 * ends every integration at 30 s; 25 s leaves the function time to answer before that.
 */
export const TOKEN_WAIT_MAX_SECONDS = 25;

/**
 * Longest wait of one tool call on the remote MCP endpoint (`POST /mcp`), and its default: with the
 * calls around it, the answer still beats API Gateway's 30 s integration limit.
 */
export const MCP_WAIT_MAX_SECONDS = 20;

/**
 * Stable, agent-facing error codes (`error` of every error body). OAuth/CIBA codes where a standard
 * defines one (`transaction_failed` is CIBA's code for "the OP could not complete the transaction").
 */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_token',
  'invalid_grant',
  'unsupported_grant_type',
  'invalid_target',
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
  'transaction_failed',
  'not_found',
  'conflict',
  'forbidden',
  'unknown_agent',
  'temporarily_unavailable',
  'invalid_config',
  // 429 with Retry-After: an agent over a limit of config `limits` (a new request per hour, or
  // pending at once). Not CIBA's `slow_down`, which paces polls of a request that exists.
  'too_many_requests',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The opaque code of an unexpected failure (HTTP 500): logged by the server, never detailed. */
export const SERVER_ERROR = 'server_error';

/** The JOSE `typ` of every stepup access token (RFC 9068). */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** The RFC 9396 `authorization_details` type of the one approved action. */
export const AUTHORIZATION_DETAILS_TYPE = 'stepup_action';

/**
 * A stepup token's RFC 9396 `authorization_details` entry: exactly the one approved action. The
 * members are named as the token names them, so the server, the agent client and resource servers
 * share one shape.
 */
export interface AuthorizationDetail {
  readonly type: typeof AUTHORIZATION_DETAILS_TYPE;
  readonly actions: readonly string[];
  /** The resource. */
  readonly identifier: string;
  /** The audiences (resource servers) it may be used at. */
  readonly locations: readonly string[];
  /** The digest of the exact arguments approved (RFC 8785 canonical JSON, SHA-256, base64url), when the request bound them. */
  readonly parameters_sha256?: string;
}

/**
 * The claims every stepup access token carries (design §4), as its verifiers require them. `nbf`,
 * `act` (a verified human) and `cnf` (DPoP binding) come on top when they apply.
 */
export const REQUIRED_TOKEN_CLAIMS = [
  'iss',
  'sub',
  'aud',
  'client_id',
  'iat',
  'exp',
  'jti',
  'authorization_details',
  'approval',
] as const;

/** The states of a request as the API shows them (`status` of `GET /v1/requests/{id}`). */
export const REQUEST_STATES = ['pending', 'approved', 'denied', 'expired', 'cancelled', 'failed'] as const;

/** One of {@link REQUEST_STATES}. */
export type RequestState = (typeof REQUEST_STATES)[number];

/**
 * The correlation fields an agent may attach to a request (`trace` of `POST /v1/requests`), each a
 * strict pattern that caps its length too. They travel unchanged into the token's `trace` claim.
 * `traceparent` is W3C Trace Context version 00 (lowercase hex; neither id all zeros);
 * `prompt_sha256` is a digest of the prompt, never the prompt: 64 lowercase hex, or base64url
 * without padding of exactly 32 bytes.
 */
export const TRACE_PATTERNS = {
  traceparent: /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/,
  session_id: /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}$/,
  tool_call_id: /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}$/,
  prompt_sha256: /^(?:[0-9a-f]{64}|[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048])$/,
  model: /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$/,
} as const;

/** One field of a request's `trace`. */
export type TraceField = keyof typeof TRACE_PATTERNS;
