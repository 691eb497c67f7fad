import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The options a command declares: each flag's name, type and whether it may repeat. */
type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** A usage mistake: printed with the usage; exit code 64 (EX_USAGE), 2 for `stepup policy`. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Parses `argv` with `node:util` `parseArgs` against the command's declared `options` (strict:
 * an undeclared flag, a missing value or a value given to a boolean flag is a usage mistake;
 * words that are not flags are positionals). A flag not declared `multiple` may appear once:
 * `parseArgs` would silently keep the last, and a second `--resource` is more likely a mistake.
 * @throws UsageError naming the flag at fault
 */
export function parseCommandLine<const T extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  options: T,
) {
  const { args, restore } = dashWordsAsPositionals(argv, options);
  const config = { args, options, strict: true, allowPositionals: true, tokens: true } as const;
  let parsed;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    throw usageMistake(argv, options, error);
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || options[token.name]?.multiple) continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} given more than once`);
    seen.add(token.name);
  }
  return { values: parsed.values, positionals: parsed.positionals.map(restore) };
}

/** Stands in for a word that starts with one dash while `parseArgs` reads the line. */
const DASH_WORD = '\u0000dash-word:';

/**
 * Words that start with a single dash, read as positionals: the CLI declares no short flags, so
 * `-x…` can never be one, while a request id may well begin with `-` (base64url) and `parseArgs`
 * would refuse it as an unknown option. A dash word right after a flag that takes a value is left
 * as it is, so `--reason -x` stays "needs a value" (attach such values with `=`).
 */
function dashWordsAsPositionals(argv: readonly string[], options: ParseArgsOptionsConfig) {
  const words: string[] = [];
  const takesValue = (word: string | undefined) =>
    word !== undefined && /^--[^=]+$/.test(word) && options[word.slice(2)]?.type === 'string';
  const args = argv.map((word, i) => {
    if (!/^-[^-]/.test(word) || takesValue(argv[i - 1])) return word;
    words.push(word);
    return `${DASH_WORD}${words.length - 1}`;
  });
  const restore = (positional: string) =>
    positional.startsWith(DASH_WORD)
      ? (words[Number(positional.slice(DASH_WORD.length))] ?? positional)
      : positional;
  return { args, restore };
}

/**
 * What strict `parseArgs` refused, in the CLI's words. Found by reading the tokens of a lenient
 * parse rather than Node's message, whose wording is not an API.
 */
function usageMistake(argv: readonly string[], options: ParseArgsOptionsConfig, error: unknown): Error {
  if (!(error instanceof TypeError)) return error instanceof Error ? error : new Error(String(error));
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const declared = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!declared) return new UsageError(`unknown option ${token.rawName}`);
    if (declared.type === 'boolean' && token.inlineValue)
      return new UsageError(`${token.rawName} takes no value`);
    // parseArgs takes the next word whatever it is; strict mode refuses one that looks like a flag.
    const value = declared.type === 'string' ? token.value : '';
    if (value === undefined || (!token.inlineValue && value.startsWith('-'))) {
      return new UsageError(`${token.rawName} needs a value`);
    }
  }
  return new UsageError(error.message);
}

/** The value of a required flag. */
export function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

/** Refuses positional words where a command takes none. */
export function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
}

/** The one positional a command takes (a request id). */
export function onePositional(positionals: readonly string[], refusal: string): string {
  const [only, ...more] = positionals;
  if (only === undefined || more.length > 0) throw new UsageError(refusal);
  return only;
}
