/**
 * Stable, agent-facing error codes. OAuth/CIBA codes where a standard defines one
 * (`transaction_failed` is CIBA's code for "the OP could not complete the transaction").
 */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'authorization_pending'
  | 'slow_down'
  | 'access_denied'
  | 'expired_token'
  | 'transaction_failed'
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'unknown_agent'
  | 'temporarily_unavailable'
  | 'invalid_config';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_token: 401,
  invalid_grant: 400,
  unsupported_grant_type: 400,
  authorization_pending: 400,
  slow_down: 400,
  access_denied: 403,
  expired_token: 400,
  // A token-endpoint error like the others (RFC 6749 §5.2), not a 5xx: retrying the poll cannot help.
  transaction_failed: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  unknown_agent: 403,
  temporarily_unavailable: 503,
  invalid_config: 500,
};

/**
 * A failure the caller can act on. Its `code` is stable and safe to show; `message` is human text.
 */
export class StepUpError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra fields for the error body (e.g. the denying policies); never secrets. */
  readonly details: Readonly<Record<string, unknown>>;
  /** When the caller may usefully try again (HTTP `Retry-After`), for `temporarily_unavailable`. */
  readonly retryAfterSeconds?: number;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options: { readonly retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'StepUpError';
    this.code = code;
    this.status = STATUS[code];
    this.details = details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The body every 4xx carries: `{"error", "error_description"}`, plus the error's details. */
export function errorBody(error: StepUpError): Record<string, unknown> {
  return { ...error.details, error: error.code, error_description: error.message };
}
