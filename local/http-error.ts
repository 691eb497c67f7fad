import { httpStatusOf } from '../lambdas/api/error-response';
import type { StepUpError } from '../lambdas/domain/errors';

/**
 * An answer the local server gives itself, as API Gateway would (no route, a refused Host, a body
 * too large, an internal error): an HTTP status and the API's stable `error` code.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** The same answer the Lambda handlers give for a {@link StepUpError}. */
  static from(error: StepUpError): HttpError {
    const retry = error.retryAfterSeconds;
    return new HttpError(
      httpStatusOf(error.code),
      error.code,
      error.message,
      retry ? { 'retry-after': String(retry) } : {},
    );
  }
}
