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
 * Parses `argv`. `booleans` are flags that take no value; every other `--flag` takes the next word
 * (or `--flag=value`).
 */
export function parseArgs(argv: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    let value = inline;
    if (value === undefined) {
      if (booleans.includes(name)) value = 'true';
      else {
        value = argv[++i];
        if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      }
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
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
