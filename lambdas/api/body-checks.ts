import { StepUpError } from '../domain/errors';

/*
 * The checks of a request body's shape behind the schemas in `./schemas/`; the text in it is under
 * the domain's text policy (`requireText`). Every message here is part of the API.
 */

/** A JSON object, or a 400. */
export function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StepUpError('invalid_request', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Rejects fields outside `allowed`, so a typo never silently drops a constraint. The message names
 * the accepted fields and counts the unknown ones: an unknown name is the caller's raw input, and
 * error descriptions never echo that.
 */
export function rejectUnknownFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key)).length;
  if (unknown > 0) {
    throw new StepUpError(
      'invalid_request',
      `${unknown} unknown field${unknown === 1 ? '' : 's'}; the accepted fields are ${allowed.join(', ')}`,
    );
  }
}

/** An integer in `[min, max]`, or a 400. */
export function requireInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StepUpError('invalid_request', `${field} must be an integer between ${min} and ${max}`);
  }
  return value;
}
