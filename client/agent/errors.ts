import type { ErrorCode, SERVER_ERROR } from '../../lambdas/contract';

/**
 * Stable codes of {@link StepUpApiError} and its subclasses. The server's own codes
 * (`invalid_request`, `invalid_token`, `access_denied`, `expired_token`, `invalid_grant`, `not_found`,
 * `conflict`, `forbidden`, `temporarily_unavailable`, `server_error`, …) pass through unchanged; the
 * client adds:
 *
 * - `cancelled`: the request was withdrawn (by the agent, or an operator's kill switch). The server
 *   answers `access_denied` for it; the client tells the two apart from the request's status.
 * - `unauthenticated`: stepup refused the workload token (HTTP 401, `invalid_token`), or there was
 *   none to send; {@link UnauthenticatedError} says why (expired at…, another issuer or audience…).
 * - `network_error`: stepup could not be reached (connection refused or reset, timeout), after retries.
 * - `invalid_response`: stepup answered something that is not its documented JSON.
 */
export type StepUpErrorCode =
  | ErrorCode
  | typeof SERVER_ERROR
  | 'cancelled'
  | 'unauthenticated'
  | 'network_error'
  | 'invalid_response'
  | (string & {});

/** What an error knows about the call that failed. */
export interface ApiErrorDetails {
  /** HTTP status, when stepup answered. */
  readonly status?: number;
  /** The request concerned, when there is one. */
  readonly requestId?: string;
  /** stepup's error body, when it sent one. */
  readonly body?: Record<string, unknown>;
}

/** Everything the client throws (other than an abort) is one of these. Switch on `code`. */
export class StepUpApiError extends Error {
  override readonly name: string = 'StepUpApiError';
  /** Stable, machine-readable; see {@link StepUpErrorCode}. */
  readonly code: StepUpErrorCode;
  /** The HTTP status stepup answered with, when it answered. */
  readonly status?: number;
  /** The request this is about, when known. */
  readonly requestId?: string;
  /** The whole error body stepup sent (`{error, error_description, …}`), when it sent one. */
  readonly body?: Readonly<Record<string, unknown>>;

  constructor(code: StepUpErrorCode, message: string, details: ApiErrorDetails & { cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.requestId = details.requestId;
    this.body = details.body;
  }
}

/**
 * The action may not go ahead: an approver denied it, a policy forbids it (then `policies` names
 * them), or the grant was revoked. Do not ask again with a reworded justification: the decision was
 * about the action, not the wording.
 */
export class DeniedError extends StepUpApiError {
  override readonly name = 'DeniedError';
  declare readonly code: 'access_denied';
  /** Why, as stepup put it (`error_description`), including the approver's reason when they gave one. */
  readonly reason: string;
  /** The policies that decided, when a policy forbade the action. */
  readonly policies: readonly string[];

  constructor(reason: string, details: ApiErrorDetails & { policies?: readonly string[] } = {}) {
    super('access_denied', /^denied\b/i.test(reason) ? reason : `denied: ${reason}`, details);
    this.reason = reason;
    this.policies = details.policies ?? [];
  }
}

/** Nobody decided before the approval timeout (or the approved token was not collected in time). */
export class ExpiredError extends StepUpApiError {
  override readonly name = 'ExpiredError';
  declare readonly code: 'expired_token';

  constructor(message: string, details: ApiErrorDetails) {
    super('expired_token', message, details);
  }
}

/**
 * stepup could not complete the approval (`transaction_failed`): a step of its workflow failed for
 * good, so the request ended as `failed` and nothing was granted, even if approvers had approved.
 * Unlike a denial this says nothing about the action: asking again with a new request is fine.
 */
export class FailedError extends StepUpApiError {
  override readonly name = 'FailedError';
  declare readonly code: 'transaction_failed';

  constructor(message: string, details: ApiErrorDetails) {
    super('transaction_failed', message, details);
  }
}

/** The request was withdrawn before anyone approved it: by this agent, or by an operator. */
export class CancelledError extends StepUpApiError {
  override readonly name = 'CancelledError';
  declare readonly code: 'cancelled';

  constructor(message: string, details: ApiErrorDetails) {
    super('cancelled', message, details);
  }
}

/** stepup refused the request as malformed (`invalid_request`): a field is missing, too long or invalid. */
export class InvalidRequestError extends StepUpApiError {
  override readonly name = 'InvalidRequestError';
  declare readonly code: 'invalid_request';

  constructor(message: string, details: ApiErrorDetails) {
    super('invalid_request', message, details);
  }
}

/**
 * stepup did not accept the agent's workload token (HTTP 401), or the client had none to send. `reason`
 * is stepup's (or, in AWS, API Gateway's) explanation, e.g. "the workload token expired at
 * 2026-12-02T16:00:00.000Z; get a fresh one…": fix the credential, asking again will not help.
 */
export class UnauthenticatedError extends StepUpApiError {
  override readonly name = 'UnauthenticatedError';
  declare readonly code: 'unauthenticated';
  /** Why the token was refused, never the token itself. */
  readonly reason: string;

  constructor(reason: string, details: ApiErrorDetails & { cause?: unknown } = {}) {
    super('unauthenticated', `unauthenticated: ${reason}`, details);
    this.reason = reason;
  }
}

/** Whether `error` is a {@link StepUpApiError}, optionally with the given `code`. */
export function isStepUpApiError(error: unknown, code?: StepUpErrorCode): error is StepUpApiError {
  return error instanceof StepUpApiError && (code === undefined || error.code === code);
}
