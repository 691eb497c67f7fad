import type { ErrorCode } from '../contract';
import type { StepUpError } from '../domain/errors';

const STATUS: Readonly<Record<ErrorCode, number>> = {
  invalid_request: 400,
  invalid_token: 401,
  invalid_grant: 400,
  unsupported_grant_type: 400,
  // RFC 8693 §2.2.2: the token is fine, but nothing can be issued for its audience.
  invalid_target: 400,
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
  too_many_requests: 429,
};

/**
 * The HTTP status an error code is answered with.
 * @example httpStatusOf('not_found') // 404
 */
export function httpStatusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** The body every 4xx carries: `{"error", "error_description"}`, plus the error's details. */
export function errorBody(error: StepUpError): Record<string, unknown> {
  return { ...error.details, error: error.code, error_description: error.message };
}
