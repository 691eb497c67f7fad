import type { ErrorCode } from '../contract';

export type { ErrorCode } from '../contract';

/** Options of a {@link StepUpError} besides its code and message. */
export interface StepUpErrorOptions {
  /** When the caller may usefully try again (HTTP `Retry-After`), for `temporarily_unavailable`. */
  readonly retryAfterSeconds?: number;
  /** The failure behind this one, for logs (`Error.cause`); never shown to the caller. */
  readonly cause?: unknown;
}

/**
 * A failure the caller can act on. Its `code` is stable and safe to show; `message` is human text.
 * How a code is answered over HTTP (its status) is the API's business (`lambdas/api/`).
 * @example
 * throw new StepUpError('not_found', 'no such request', {}, { cause: readError });
 */
export class StepUpError extends Error {
  readonly code: ErrorCode;
  /** Extra fields for the error body (e.g. the denying policies); never secrets. */
  readonly details: Readonly<Record<string, unknown>>;
  /** When the caller may usefully try again (HTTP `Retry-After`), for `temporarily_unavailable`. */
  readonly retryAfterSeconds?: number;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options: StepUpErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StepUpError';
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
