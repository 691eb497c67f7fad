/**
 * Characters agent and approver text must never carry into what a human reads, decided by Unicode
 * property rather than by a list, so new invisible characters are covered as Node's Unicode data
 * grows:
 *
 * - `Cc` controls, except tab, line feed and carriage return (kept for free text);
 * - `Cf` format characters: bidirectional marks, overrides and isolates (which can make "deny" read
 *   as "approve"), zero-width characters, the BOM, the soft hyphen, tag characters;
 * - `Cs` surrogates (a lone one is not text), `Co` private use and `Cn` unassigned code points:
 *   nobody can tell what they show;
 * - `Zl` and `Zp`, the line and paragraph separators, which some renderers break on and some ignore;
 * - `Default_Ignorable_Code_Point`: what renderers draw as nothing (fillers such as U+3164 and
 *   U+115F, the combining grapheme joiner, variation selectors);
 * - `Script=Braille`: U+2800 is drawn blank yet is a symbol, not a space, so no other property
 *   catches it; the rest of the script has no place in an action, resource or justification.
 */
const UNSAFE =
  '[[\\p{Cc}--[\\t\\n\\r]]\\p{Cf}\\p{Cs}\\p{Co}\\p{Cn}\\p{Zl}\\p{Zp}\\p{Default_Ignorable_Code_Point}\\p{Script=Braille}]';
// The `v` flag (set subtraction) through the constructor: the TypeScript target predates it.
const UNSAFE_ONE = new RegExp(UNSAFE, 'v');
const UNSAFE_ALL = new RegExp(UNSAFE, 'gv');

/** True when `text` holds any unsafe character (a lone surrogate included). */
export function hasUnsafeCharacters(text: string): boolean {
  return UNSAFE_ONE.test(text);
}

/** `text` without its unsafe characters (and without lone surrogates). */
export function stripUnsafeCharacters(text: string): string {
  return text.replace(UNSAFE_ALL, '');
}
