import { stripUnsafeCharacters } from '../../domain/unsafe-characters';

/**
 * Makes text an agent wrote safe to show in Slack: invisible and direction-changing characters
 * removed, `& < >` escaped (so no mention, link or channel ping can form), capped at `max`
 * code points with an ellipsis. Use it with `plain_text` objects so no formatting applies either.
 */
export function untrustedText(text: string, max: number): string {
  const visible = [...stripUnsafeCharacters(text)];
  const capped = visible.length > max ? `${visible.slice(0, max - 1).join('')}…` : visible.join('');
  return capped.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
