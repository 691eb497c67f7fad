import { CONFUSABLES_TABLE } from './confusables-table';

/** The table's blocks (format: `scripts/confusables-file.ts`) and each block's first code point. */
interface Blocks {
  readonly texts: readonly string[];
  readonly firsts: readonly number[];
}

/** Split on first use: ~400 blocks, well under a millisecond. */
let blocks: Blocks | undefined;

function splitBlocks(): Blocks {
  const texts = CONFUSABLES_TABLE.split(';');
  // A block starts with its first code point in full; parseInt stops at the `:` after it.
  return { texts, firsts: texts.map((text) => parseInt(text, 36)) };
}

/** The index of the last block whose first code point is at most `point`, or -1. */
function blockOf(firsts: readonly number[], point: number): number {
  let low = -1;
  let high = firsts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((firsts[middle] ?? Infinity) <= point) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The confusables.txt prototype of one code point, or undefined when it has none. */
function prototypeOf(point: number): string | undefined {
  blocks ??= splitBlocks();
  const block = blocks.texts[blockOf(blocks.firsts, point)];
  if (block === undefined) return undefined;
  let current = 0;
  for (const entry of block.split(',')) {
    const colon = entry.indexOf(':');
    current += parseInt(entry.slice(0, colon), 36);
    if (current > point) return undefined;
    if (current === point) {
      const prototype = entry.slice(colon + 1).split('.');
      return String.fromCodePoint(...prototype.map((p) => parseInt(p, 36)));
    }
  }
  return undefined;
}

/**
 * Replaces every character of `text` that has a prototype in Unicode's confusables table (UTS #39
 * §4) by that prototype, code point by code point; the same result as `unhomoglyph(text)`, without
 * its object literal of the whole table and its RegExp of 6,311 alternatives built when the module
 * loads (~35 ms of the confirmation function's cold start, measured in pairs), and without decoding
 * the whole table on first use either (a look-up reads one block of 16 entries).
 */
export function replaceConfusables(text: string): string {
  let replaced = '';
  for (const character of text) {
    replaced += prototypeOf(character.codePointAt(0) ?? 0) ?? character;
  }
  return replaced;
}
