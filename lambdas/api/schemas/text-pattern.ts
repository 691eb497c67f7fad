// The unsafe characters of `unsafe-characters.ts`, spelled for a JSON Schema pattern: ECMA-262 with
// the `u` flag has Unicode property escapes but no set subtraction (the `v` flag the parser's own
// check uses), so `\p{Cc}` minus tab, LF and CR is written as the two Cc ranges without them. Being
// the same properties, the pattern cannot disagree with the parser; the OpenAPI test checks that.
const UNSAFE_BODY =
  '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f' +
  '\\p{Cf}\\p{Cs}\\p{Co}\\p{Cn}\\p{Zl}\\p{Zp}\\p{Default_Ignorable_Code_Point}\\p{Script=Braille}';
/** What single-line text refuses on top of the unsafe characters (U+2028/U+2029 are Zl/Zp). */
const LINE_BREAKS_AND_TAB = '\\t\\n\\r';

/**
 * A JSON Schema (ECMA-262, `u` flag) pattern matching exactly the strings a text field accepts
 * apart from length and its own pattern: something left after `trim()` (whose whitespace is exactly
 * `\s`), and no refused character (an unsafe one, or tab, LF and CR unless `multiline`). The
 * lookahead and the single class each scan the string once, so validators run it in linear time.
 */
export function textPattern(multiline: boolean): string {
  const refused = multiline ? UNSAFE_BODY : `${UNSAFE_BODY}${LINE_BREAKS_AND_TAB}`;
  return `^(?!\\s*$)[^${refused}]*$`;
}
