/**
 * Characters agent text must never carry into what a human reads: C0/C1 controls other than tab,
 * newline and carriage return; bidirectional overrides and isolates (which can make "deny" read as
 * "approve"); zero-width characters and the BOM.
 */
const UNSAFE =
  '[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2069\\ufeff]';
const UNSAFE_ONE = new RegExp(UNSAFE);
const UNSAFE_ALL = new RegExp(UNSAFE, 'g');

/** True when `text` holds any unsafe character. */
export function hasUnsafeCharacters(text: string): boolean {
  return UNSAFE_ONE.test(text);
}

/** `text` without its unsafe characters. */
export function stripUnsafeCharacters(text: string): string {
  return text.replace(UNSAFE_ALL, '');
}
