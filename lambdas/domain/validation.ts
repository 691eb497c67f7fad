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

/**
 * The one policy for text an agent or approver supplies, applied where it enters: a string of
 * well-formed Unicode, normalised to NFC (so what is checked, stored, shown and bound into a token
 * is one form, whatever the sender composed), not blank, free of unsafe characters (see
 * `./unsafe-characters.ts`; tabs and line breaks too unless `multiline`), at most `max` code points
 * once normalised, and matching `pattern` if given. Messages name the field, never the value.
 * @returns the normalised text
 * @throws StepUpError `invalid_request`
 */
export function requireText(value: unknown, field: string, rule: StringRule): string {
  if (typeof value !== 'string') {
    throw new StepUpError('invalid_request', `${field} is required and must be a non-empty string`);
  }
  // Before anything else reads it: a lone surrogate breaks normalisation, Cedar and UTF-8 encoders.
  if (!value.isWellFormed()) {
    throw new StepUpError('invalid_request', `${field} is not well-formed Unicode (it has a lone surrogate)`);
  }
  const text = value.normalize('NFC');
  if (text.trim().length === 0) {
    throw new StepUpError('invalid_request', `${field} is required and must be a non-empty string`);
  }
  if (hasUnsafeCharacters(text) || (!rule.multiline && /[\t\n\r]/.test(text))) {
    throw new StepUpError(
      'invalid_request',
      `${field} contains control, format, invisible or direction-changing characters` +
        (rule.multiline ? '' : ', tabs or line breaks'),
    );
  }
  if ([...text].length > rule.max) {
    throw new StepUpError('invalid_request', `${field} must be at most ${rule.max} characters`);
  }
  if (rule.pattern && !rule.pattern.test(text)) {
    throw new StepUpError('invalid_request', `${field} must be ${rule.hint ?? `like ${rule.pattern}`}`);
  }
  return text;
}

/** An integer in `[min, max]`, or a 400. */
export function requireInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StepUpError('invalid_request', `${field} must be an integer between ${min} and ${max}`);
  }
  return value;
}
