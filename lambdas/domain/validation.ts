import { StepUpError } from './errors';
import { hasUnsafeCharacters } from './unsafe-characters';

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

/** Options for {@link requireString}. */
export interface StringRule {
  readonly max: number;
  readonly pattern?: RegExp;
  readonly hint?: string;
  /** Allow tabs and newlines (free text). @default false */
  readonly multiline?: boolean;
}

/** A non-empty string within bounds and free of control and bidi characters, or a 400. */
export function requireString(body: Record<string, unknown>, field: string, rule: StringRule): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new StepUpError('invalid_request', `${field} is required and must be a non-empty string`);
  }
  return checkString(value, field, rule);
}

/** Like {@link requireString}, but absent is fine. */
export function optionalString(
  body: Record<string, unknown>,
  field: string,
  rule: StringRule,
): string | undefined {
  if (body[field] === undefined) return undefined;
  return requireString(body, field, rule);
}

function checkString(value: string, field: string, rule: StringRule): string {
  if ([...value].length > rule.max) {
    throw new StepUpError('invalid_request', `${field} must be at most ${rule.max} characters`);
  }
  if (hasUnsafeCharacters(value) || (!rule.multiline && /[\t\n\r]/.test(value))) {
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

/** An optional integer in `[min, max]`, or a 400. */
export function optionalInteger(
  body: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
): number | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StepUpError('invalid_request', `${field} must be an integer between ${min} and ${max}`);
  }
  return value;
}
