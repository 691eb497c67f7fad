import { parseArgs as parseNodeArgs } from 'node:util';

/** Parsed command-line flags: `--name value`, `--flag`, repeated flags collected in order. */
export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Map<string, string[]>;
}

/** A usage mistake: printed with the usage; exit code 64 (EX_USAGE), 2 for `stepup policy`. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Parses `argv` with `node:util`'s `parseArgs`. `booleans` are flags that take no value; every other
 * `--flag` takes the next word (or `--flag=value`). Which flags are known is the caller's check
 * ({@link rejectUnknownFlags}), so here every name given is declared, to keep the words in order.
 * @example parseArgs(['--agent', 'bot', '--json'], ['json']).flags // Map { agent → ['bot'], json → ['true'] }
 */
export function parseArgs(argv: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const names = argv.filter((arg) => arg.startsWith('--')).map((arg) => arg.slice(2).split('=')[0] ?? '');
  const options = Object.fromEntries(
    names.map((name) => [
      name,
      { type: booleans.includes(name) ? 'boolean' : 'string', multiple: true } as const,
    ]),
  );
  const { tokens } = parseNodeArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (const token of tokens) {
    if (token.kind === 'positional') positional.push(token.value);
    if (token.kind !== 'option') continue;
    // Only long options exist; node:util reads `-x` as a short one.
    if (!token.rawName.startsWith('--')) throw new UsageError(`unknown option ${token.rawName}`);
    const boolean = booleans.includes(token.name);
    const value = token.value ?? (boolean ? 'true' : undefined);
    if (value === undefined || (!boolean && !token.inlineValue && value.startsWith('--'))) {
      throw new UsageError(`--${token.name} needs a value`);
    }
    flags.set(token.name, [...(flags.get(token.name) ?? []), value]);
  }
  return { positional, flags };
}

/** The single value of `--name`, or undefined. */
export function flag(args: ParsedArgs, name: string): string | undefined {
  const values = args.flags.get(name);
  if (values && values.length > 1) throw new UsageError(`--${name} given more than once`);
  return values?.[0];
}

/** The value of a required `--name`. */
export function requiredFlag(args: ParsedArgs, name: string): string {
  const value = flag(args, name);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

/** Fails on flags outside `known`, so a typo never silently changes the question. */
export function rejectUnknownFlags(args: ParsedArgs, known: readonly string[]): void {
  for (const name of args.flags.keys()) {
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
  }
}
