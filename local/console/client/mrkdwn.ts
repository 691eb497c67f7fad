/**
 * Slack's text formats, parsed into a small tree the page turns into DOM nodes with `textContent`
 * only. Nothing here produces HTML: markup can only come from the syntax Slack itself interprets
 * (`*bold*`, `<@U123>`, `<!date^…>`), and text a sender escaped (`&lt;!channel&gt;`) stays text.
 */
export type Inline =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'bold' | 'italic' | 'strike'; readonly children: Inline[] }
  | { readonly kind: 'code' | 'pre'; readonly text: string }
  | {
      readonly kind: 'user' | 'channel' | 'broadcast' | 'usergroup';
      readonly id: string;
      readonly label: string;
    }
  | { readonly kind: 'date'; readonly text: string; readonly iso: string }
  | { readonly kind: 'emoji'; readonly name: string; readonly text: string }
  | { readonly kind: 'link'; readonly url: string; readonly label: string };

/** The emoji stepup's messages use, and a few common ones; any other `:name:` stays as written. */
const EMOJI: Readonly<Record<string, string>> = {
  white_check_mark: '\u2705',
  heavy_check_mark: '\u2714\ufe0f',
  no_entry: '\u26d4',
  no_entry_sign: '\u{1f6ab}',
  hourglass: '\u231b',
  hourglass_flowing_sand: '\u23f3',
  rotating_light: '\u{1f6a8}',
  heavy_multiplication_x: '\u2716\ufe0f',
  x: '\u274c',
  warning: '\u26a0\ufe0f',
  lock: '\u{1f512}',
  key: '\u{1f511}',
  wave: '\u{1f44b}',
  tada: '\u{1f389}',
  eyes: '\u{1f440}',
};

/** Slack escapes exactly these three in message text; everything else is literal. */
export function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', amp: '&' })[name] ?? '');
}

const EMOJI_CODE = /:([a-z0-9_+-]+):/g;

/** `:white_check_mark:` → ✅ for the emoji Slack would draw (known names only). */
export function replaceEmoji(text: string): string {
  return text.replace(EMOJI_CODE, (whole, name: string) => EMOJI[name] ?? whole);
}

/** Text with its known `:emoji:` codes as separate nodes (the page draws some of them itself). */
export function splitEmoji(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const match of text.matchAll(EMOJI_CODE)) {
    const name = match[1] ?? '';
    const emoji = EMOJI[name];
    if (!emoji) continue;
    if (match.index > last) out.push({ kind: 'text', text: text.slice(last, match.index) });
    out.push({ kind: 'emoji', name, text: emoji });
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}

/** Plain text as Slack shows it: entities decoded, emoji drawn unless `emoji: false`. */
export function plainText(text: string, emoji = true): string {
  const decoded = decodeEntities(text);
  return emoji ? replaceEmoji(decoded) : decoded;
}

/** {@link plainText} as nodes, with emoji apart. */
export function parsePlainText(text: string, emoji = true): Inline[] {
  const decoded = decodeEntities(text);
  return emoji ? splitEmoji(decoded) : [{ kind: 'text', text: decoded }];
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function ordinal(day: number): string {
  const suffix = day % 10 === 1 && day !== 11 ? 'st' : day % 10 === 2 && day !== 12 ? 'nd' : 'th';
  return `${day}${day % 10 === 3 && day !== 13 ? 'rd' : suffix}`;
}

/** Slack's `<!date^epoch^format|fallback>` tokens, in the viewer's time zone. */
export function formatSlackDate(epochSeconds: number, format: string, now = new Date()): string {
  const date = new Date(epochSeconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const month = MONTHS[date.getMonth()] ?? '';
  const day = date.getDate();
  const year = date.getFullYear();
  const relative = () => {
    const startOf = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
    const days = Math.round((startOf(date) - startOf(now)) / 86_400_000);
    return days === 0 ? 'today' : days === 1 ? 'tomorrow' : days === -1 ? 'yesterday' : undefined;
  };
  const time = (seconds: boolean) => {
    const hours = date.getHours() % 12 || 12;
    const suffix = date.getHours() < 12 ? 'AM' : 'PM';
    return `${hours}:${pad(date.getMinutes())}${seconds ? `:${pad(date.getSeconds())}` : ''} ${suffix}`;
  };
  const long = () => `${month} ${ordinal(day)}, ${year}`;
  const short = () => `${month.slice(0, 3)} ${day}, ${year}`;
  const withWeekday = () => `${DAYS[date.getDay()] ?? ''}, ${long()}`;
  const tokens: Record<string, () => string> = {
    date_num: () => `${year}-${pad(date.getMonth() + 1)}-${pad(day)}`,
    date: long,
    date_short: short,
    date_long: withWeekday,
    date_pretty: () => relative() ?? long(),
    date_short_pretty: () => relative() ?? short(),
    date_long_pretty: () => relative() ?? withWeekday(),
    time: () => time(false),
    time_secs: () => time(true),
  };
  return format.replace(/\{(\w+)\}/g, (whole, name: string) => tokens[name]?.() ?? whole);
}

/** One `<…>` token Slack interprets: mentions, broadcasts, dates, links. */
function angleToken(inner: string, now: Date): Inline {
  const bar = inner.indexOf('|');
  const head = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? undefined : decodeEntities(inner.slice(bar + 1));
  if (head.startsWith('@')) return { kind: 'user', id: head.slice(1), label: `@${label ?? head.slice(1)}` };
  if (head.startsWith('#'))
    return { kind: 'channel', id: head.slice(1), label: `#${label ?? head.slice(1)}` };
  if (head.startsWith('!date^')) {
    const [, epoch, format = '', link] = head.split('^');
    const seconds = Number(epoch);
    if (!Number.isFinite(seconds)) return { kind: 'text', text: label ?? '' };
    const iso = new Date(seconds * 1000).toISOString();
    const text = formatSlackDate(seconds, decodeEntities(format), now);
    return link ? { kind: 'link', url: decodeEntities(link), label: text } : { kind: 'date', text, iso };
  }
  if (head.startsWith('!subteam^')) {
    const id = head.slice('!subteam^'.length);
    return { kind: 'usergroup', id, label: label ?? `@${id}` };
  }
  if (head === '!channel' || head === '!here' || head === '!everyone') {
    return { kind: 'broadcast', id: head.slice(1), label: `@${head.slice(1)}` };
  }
  if (head.startsWith('!')) return { kind: 'text', text: label ?? '' };
  const url = decodeEntities(head);
  return { kind: 'link', url, label: label ?? url };
}

/** A parsed piece before formatting: one character of text, or an opaque token. */
type Atom = string | Inline;

const MARKERS: Readonly<Record<string, 'bold' | 'italic' | 'strike'>> = {
  '*': 'bold',
  _: 'italic',
  '~': 'strike',
};
const isWordCharacter = (atom: Atom | undefined) => typeof atom === 'string' && /[\p{L}\p{N}_]/u.test(atom);
const isSpace = (atom: Atom | undefined) => typeof atom === 'string' && /\s/u.test(atom);

/** Text leaves with entities decoded and emoji drawn; consecutive characters merged. */
function flush(buffer: string[], out: Inline[]): void {
  if (buffer.length === 0) return;
  out.push(...splitEmoji(decodeEntities(buffer.join(''))));
  buffer.length = 0;
}

/** `*bold*`, `_italic_`, `~strike~` at word boundaries, nested, never across a line break. */
function formatted(atoms: readonly Atom[]): Inline[] {
  const out: Inline[] = [];
  const buffer: string[] = [];
  for (let i = 0; i < atoms.length; i++) {
    const atom = atoms[i];
    if (atom === undefined) continue;
    if (typeof atom !== 'string') {
      flush(buffer, out);
      out.push(atom);
      continue;
    }
    const kind = MARKERS[atom];
    const opens =
      kind && !isWordCharacter(atoms[i - 1]) && atoms[i + 1] !== undefined && !isSpace(atoms[i + 1]);
    let close = -1;
    if (opens) {
      for (let j = i + 1; j < atoms.length && atoms[j] !== '\n'; j++) {
        if (atoms[j] === atom && j > i + 1 && !isSpace(atoms[j - 1]) && !isWordCharacter(atoms[j + 1])) {
          close = j;
          break;
        }
      }
    }
    if (kind && close > 0) {
      flush(buffer, out);
      out.push({ kind, children: formatted(atoms.slice(i + 1, close)) });
      i = close;
    } else buffer.push(atom);
  }
  flush(buffer, out);
  return out;
}

/**
 * Parses Slack `mrkdwn`: code blocks and spans first (nothing inside them is interpreted), then
 * `<…>` tokens, then emphasis. Entities are decoded only in the leaves, after parsing.
 */
export function parseMrkdwn(source: string, now = new Date()): Inline[] {
  const atoms: Atom[] = [];
  const pattern = /```([\s\S]+?)```|`([^`\n]+)`|<([^<>\n]+)>/g;
  let last = 0;
  for (const match of source.matchAll(pattern)) {
    atoms.push(...source.slice(last, match.index));
    if (match[1] !== undefined) atoms.push({ kind: 'pre', text: decodeEntities(match[1]) });
    else if (match[2] !== undefined) atoms.push({ kind: 'code', text: decodeEntities(match[2]) });
    else atoms.push(angleToken(match[3] ?? '', now));
    last = match.index + match[0].length;
  }
  atoms.push(...source.slice(last));
  return formatted(atoms);
}
