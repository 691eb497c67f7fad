import { stripUnsafeCharacters } from '../../domain/unsafe-characters';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** How a line break shows in a single-line value: visibly, so it cannot start a forged line. */
export const VISIBLE_LINE_BREAK = '\u21b5';

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
  const safe = stripUnsafeCharacters(text);
  const characters = [
    ...(options.singleLine ? safe.replace(/\r\n|[\r\n]/g, VISIBLE_LINE_BREAK).replace(/\t/g, ' ') : safe),
  ];
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
