import { StepUpError } from '../errors';
import { hasUnsafeCharacters } from './unsafe-characters';

/*
 * The text policy: one rule for text an agent or approver supplies, wherever it enters (the API's
 * request schemas in `lambdas/api/schemas/`, a deny reason typed in Slack, a workload's `sub`).
 * Every message here is part of the API.
 */

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
