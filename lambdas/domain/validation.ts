import { StepUpError } from './errors';
import { hasUnsafeCharacters } from './unsafe-characters';

/*
 * The checks behind the request schemas in `./schemas/`. Use them through a schema, which also
 * describes them in the OpenAPI document; every message here is part of the API.
 */

/** A JSON object, or a 400. */
export function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StepUpError('invalid_request', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Rejects fields outside `allowed`, so a typo never silently drops a constraint. */
export function rejectUnknownFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new StepUpError('invalid_request', `unknown field(s): ${unknown.join(', ')}`);
  }
}

/** Options for {@link requireText}. */
export interface StringRule {
  /** Longest value, in characters (Unicode code points). */
  readonly max: number;
  readonly pattern?: RegExp;
  /** What `pattern` means, in words: "`field` must be <hint>". */
  readonly hint?: string;
  /** Allow tabs and newlines (free text). @default false */
  readonly multiline?: boolean;
}

/** A non-empty string within bounds and free of control and bidi characters, or a 400. */
export function requireText(value: unknown, field: string, rule: StringRule): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new StepUpError('invalid_request', `${field} is required and must be a non-empty string`);
  }
  if ([...value].length > rule.max) {
    throw new StepUpError('invalid_request', `${field} must be at most ${rule.max} characters`);
  }
  if (hasUnsafeCharacters(value) || (!rule.multiline && /[\t\n\r\u2028\u2029]/.test(value))) {
    throw new StepUpError(
      'invalid_request',
      `${field} contains control or bidirectional-override characters`,
    );
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    throw new StepUpError('invalid_request', `${field} must be ${rule.hint ?? `like ${rule.pattern}`}`);
  }
  return value;
}

/** An integer in `[min, max]`, or a 400. */
export function requireInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StepUpError('invalid_request', `${field} must be an integer between ${min} and ${max}`);
  }
  return value;
}
