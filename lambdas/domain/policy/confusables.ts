import { CONFUSABLES_TABLE } from './confusables-table';

/** Code point → its confusables.txt prototype; decoded from {@link CONFUSABLES_TABLE} on first use. */
let prototypes: Map<number, string> | undefined;

/** Decodes the table (format: `scripts/confusables-file.ts`): ~6,300 entries, about a millisecond. */
function decodeTable(): Map<number, string> {
  const table = new Map<number, string>();
  let point = 0;
  for (const entry of CONFUSABLES_TABLE.split(',')) {
    const colon = entry.indexOf(':');
    point += parseInt(entry.slice(0, colon), 36);
    const prototype = entry
      .slice(colon + 1)
      .split('.')
      .map((p) => parseInt(p, 36));
    table.set(point, String.fromCodePoint(...prototype));
  }
  return table;
}

/**
 * Replaces every character of `text` that has a prototype in Unicode's confusables table (UTS #39
 * §4) by that prototype, code point by code point; the same result as `unhomoglyph(text)`, without
 * its object literal of the whole table and its RegExp of ~6,300 alternatives built when the module
 * loads (about 13 ms of a function's cold start, for a check few invocations make).
 */
export function replaceConfusables(text: string): string {
  prototypes ??= decodeTable();
  let replaced = '';
  for (const character of text) {
    replaced += prototypes.get(character.codePointAt(0) ?? 0) ?? character;
  }
  return replaced;
}
