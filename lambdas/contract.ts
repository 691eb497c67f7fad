/*
 * The agent-facing contract that both the server and `client/` speak: error codes, token claim names
 * and the grant type. Declared once here; this module imports nothing, so the client can use it
 * without pulling in server code.
 */

/** The CIBA grant type `POST /v1/token` accepts (OpenID CIBA §10.1). */
export const CIBA_GRANT_TYPE = 'urn:openid:params:grant-type:ciba';

/**
 * Stable, agent-facing error codes (`error` of every error body). OAuth/CIBA codes where a standard
 * defines one (`transaction_failed` is CIBA's code for "the OP could not complete the transaction").
 */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_token',
  'invalid_grant',
  'unsupported_grant_type',
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
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The opaque code of an unexpected failure (HTTP 500): logged by the server, never detailed. */
export const SERVER_ERROR = 'server_error';
