/**
 * Why a resource server refused a stepup token. Stable: callers may switch on it.
 *
 * - `invalid_token`: not a valid stepup access token for this resource server (signature, `alg`,
 *   `typ`, issuer, audience, expiry or a required claim).
 * - `wrong_action` / `wrong_resource`: valid, but approved for another action or resource.
 * - `dpop_required`: the token is bound to a key (`cnf.jkt`) and no DPoP proof came with it.
 * - `invalid_dpop_proof`: the proof is malformed, badly signed, or for another request or token.
 * - `dpop_key_mismatch`: the proof is signed by a key other than the one the token is bound to.
 * - `dpop_replay`: the proof's `jti` was already seen.
 * - `parameters_required`: the approval is bound to exact arguments and none were passed to check.
 * - `parameters_mismatch`: the arguments received are not the approved ones (nothing was consumed;
 *   stepup records the attempt).
 * - `token_used`: introspection says the token is not active (already used, revoked or expired).
 * - `introspection_failed`: stepup could not be asked (network, status, malformed answer).
 */
export type StepUpTokenErrorCode =
  | 'invalid_token'
  | 'wrong_action'
  | 'wrong_resource'
  | 'dpop_required'
  | 'invalid_dpop_proof'
  | 'dpop_key_mismatch'
  | 'dpop_replay'
  | 'parameters_required'
  | 'parameters_mismatch'
  | 'token_used'
  | 'introspection_failed';

const HTTP_STATUS: Readonly<Record<StepUpTokenErrorCode, number>> = {
  invalid_token: 401,
  wrong_action: 403,
  wrong_resource: 403,
  dpop_required: 401,
  invalid_dpop_proof: 401,
  dpop_key_mismatch: 401,
  dpop_replay: 401,
  parameters_required: 403,
  parameters_mismatch: 403,
  token_used: 401,
  introspection_failed: 503,
};

/** A stepup token was refused. `code` says why; `message` is for logs, not for the caller. */
export class StepUpTokenError extends Error {
  override readonly name = 'StepUpTokenError';
  /** The HTTP status a resource server should answer with: 401, 403, or 503 when stepup is unreachable. */
  readonly status: number;

  constructor(
    readonly code: StepUpTokenErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.status = HTTP_STATUS[code];
  }
}

/** Whether `error` is a {@link StepUpTokenError}, optionally with the given `code`. */
export function isStepUpTokenError(error: unknown, code?: StepUpTokenErrorCode): error is StepUpTokenError {
  return error instanceof StepUpTokenError && (code === undefined || error.code === code);
}

/** The message of whatever was thrown, for wrapping. */
export function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
