import { stripUnsafeCharacters } from '../../domain/config/unsafe-characters';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** How a line break shows in a single-line value: visibly, so it cannot start a forged line. */
export const VISIBLE_LINE_BREAK = '\u21b5';

function safeCharacters(text: string, singleLine: boolean): string[] {
  const safe = stripUnsafeCharacters(text);
  return [...(singleLine ? safe.replace(/\r\n|[\r\n]/g, VISIBLE_LINE_BREAK).replace(/\t/g, ' ') : safe)];
}

/**
 * {@link untrustedText} on one line, cut in the middle instead of at the end when it is too long: the
 * beginning and the end stay (`prod/…/orders` and `prod/…/customers` still differ), at most `max`
 * characters of escaped text in all.
 */
export function untrustedTextMiddle(text: string, max: number): string {
  const pieces = safeCharacters(text, true).map((character) => ESCAPES[character] ?? character);
  const total = pieces.reduce((sum, piece) => sum + piece.length, 0);
  if (total <= max) return pieces.join('');
  const budget = max - 1;
  const head: string[] = [];
  let used = 0;
  for (const piece of pieces) {
    if (used + piece.length > Math.ceil(budget / 2)) break;
    head.push(piece);
    used += piece.length;
  }
  const tail: string[] = [];
  for (const piece of pieces.slice(head.length).reverse()) {
    if (used + piece.length > budget) break;
    tail.unshift(piece);
    used += piece.length;
  }
  return `${head.join('')}…${tail.join('')}`;
}

/**
 * Makes text an agent wrote safe to show in Slack: invisible and direction-changing characters
 * removed, `& < >` escaped (so no mention, link or channel ping can form), and capped so the
 * ESCAPED text is at most `max` characters (code points) (Slack limits what it is sent, not what it shows),
 * ending in an ellipsis when cut. With `singleLine`, line breaks show as {@link VISIBLE_LINE_BREAK}
 * and tabs as spaces, so a value cannot add a line under its label. Use it with `plain_text` objects
 * so no formatting applies either.
 */
export function untrustedText(
  text: string,
  max: number,
  options: { readonly singleLine?: boolean } = {},
): string {
  const out: string[] = [];
  let length = 0;
  const characters = safeCharacters(text, options.singleLine ?? false);
  for (const [index, character] of characters.entries()) {
    const piece = ESCAPES[character] ?? character;
    const size = ESCAPES[character]?.length ?? 1;
    const last = index === characters.length - 1;
    if (length + size > max || (length + size === max && !last)) {
      out.push('…');
      break;
    }
    out.push(piece);
    length += size;
  }
  return out.join('');
}

/**
 * {@link untrustedText} without a cap, in pieces of at most `max` escaped characters each, cut after
 * a line break where one falls in the piece (else within the line): long agent text shown in full
 * across several `plain_text` sections, each within Slack's limit.
 */
export function untrustedChunks(text: string, max: number): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let length = 0;
  const flush = (count: number) => {
    const piece = current.slice(0, count);
    chunks.push(piece.join(''));
    current = current.slice(count);
    length = current.reduce((sum, escaped) => sum + escaped.length, 0);
  };
  for (const character of safeCharacters(text, false)) {
    const escaped = ESCAPES[character] ?? character;
    if (length + escaped.length > max) {
      const lineEnd = current.lastIndexOf('\n');
      flush(lineEnd > 0 ? lineEnd + 1 : current.length);
    }
    current.push(escaped);
    length += escaped.length;
  }
  if (current.length > 0) flush(current.length);
  return chunks;
}
