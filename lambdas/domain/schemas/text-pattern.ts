import { hasUnsafeCharacters } from '../unsafe-characters';

// What single-line text refuses on top of the unsafe characters (`requireText`); U+2028 and U+2029 are
// unsafe everywhere.
const LINE_BREAKS_AND_TAB = [0x09, 0x0a, 0x0d];

let classified: { readonly unsafe: readonly number[]; readonly space: readonly number[] } | undefined;

/**
 * Every code point the parser's own check calls unsafe, and every one `trim()` removes (`\s`), found
 * by asking about each code point in turn: about 40 ms, once, only when a document is built.
 */
function classify(): NonNullable<typeof classified> {
  if (classified) return classified;
  const unsafe: number[] = [];
  const space: number[] = [];
  for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
    // Lone surrogates as themselves: JSON strings can carry them.
    const text =
      codePoint >= 0xd800 && codePoint <= 0xdfff
        ? String.fromCharCode(codePoint)
        : String.fromCodePoint(codePoint);
    if (hasUnsafeCharacters(text)) unsafe.push(codePoint);
    if (text.trim() === '') space.push(codePoint);
  }
  classified = { unsafe, space };
  return classified;
}

const hex = (codePoint: number) =>
  codePoint > 0xffff ? `\\u{${codePoint.toString(16)}}` : `\\u${codePoint.toString(16).padStart(4, '0')}`;

/** The body of a character class (without brackets) matching exactly `codePoints`. */
function characterClass(codePoints: readonly number[]): string {
  const ranges: [number, number][] = [];
  for (const codePoint of [...new Set(codePoints)].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last && last[1] === codePoint - 1) last[1] = codePoint;
    else ranges.push([codePoint, codePoint]);
  }
  return ranges
    .map(([from, to]) => (from === to ? hex(from) : `${hex(from)}${to === from + 1 ? '' : '-'}${hex(to)}`))
    .join('');
}

const patterns = new Map<boolean, string>();

/**
 * A JSON Schema (ECMA-262) pattern matching exactly the strings a text field accepts apart from
 * length and its own pattern: something left after `trim()`, and no refused character (an unsafe
 * one, or tab, LF, CR and the Unicode line and paragraph separators unless `multiline`). Built from the parser's own checks, so it cannot
 * disagree with them on any character. Shaped `^[allowed spaces]*[first non-space][allowed]*$`:
 * each character has one way to match, so validators run it in linear time.
 */
export function textPattern(multiline: boolean): string {
  const cached = patterns.get(multiline);
  if (cached) return cached;
  const { unsafe, space } = classify();
  const refused = multiline ? unsafe : [...unsafe, ...LINE_BREAKS_AND_TAB];
  const refusedSet = new Set(refused);
  const refusedClass = characterClass(refused);
  const allowedSpace = characterClass(space.filter((codePoint) => !refusedSet.has(codePoint)));
  const notSpaceNorRefused = characterClass([...space, ...refused]);
  const pattern = `^[${allowedSpace}]*[^${notSpaceNorRefused}][^${refusedClass}]*$`;
  patterns.set(multiline, pattern);
  return pattern;
}
