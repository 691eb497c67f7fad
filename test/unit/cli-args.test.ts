import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../client/cli/args';

const OPTIONS = {
  action: { type: 'string' },
  signal: { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const;

/** The message of the UsageError `argv` is refused with. */
function refusal(argv: string[]): string {
  try {
    parseCommandLine(argv, OPTIONS);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('parseCommandLine (node:util parseArgs, strict)', () => {
  it('reads declared flags, inline values, repeated multiple flags and positionals', () => {
    const { values, positionals } = parseCommandLine(
      ['ID', '--action=db:DropTable', '--signal', 'a=1', '--signal', 'b=x=y', '--json'],
      OPTIONS,
    );
    expect(values).toEqual({ action: 'db:DropTable', signal: ['a=1', 'b=x=y'], json: true });
    expect(positionals).toEqual(['ID']);
  });

  it('refuses each usage mistake with the flag named', () => {
    expect(refusal(['--acton', 'x'])).toBe('unknown option --acton');
    expect(refusal(['--action'])).toBe('--action needs a value');
    expect(refusal(['--action', '--json'])).toBe('--action needs a value');
    expect(refusal(['--json=yes'])).toBe('--json takes no value');
    expect(refusal(['--action', 'a', '--action', 'b'])).toBe('--action given more than once');
  });

  it('reads a word that starts with one dash as a positional (a request id may begin with -)', () => {
    const { values, positionals } = parseCommandLine(['-IqQ7x_3', '--json'], OPTIONS);
    expect(positionals).toEqual(['-IqQ7x_3']);
    expect(values).toEqual({ json: true });
    expect(parseCommandLine(['a', '-b', 'c'], OPTIONS).positionals).toEqual(['a', '-b', 'c']);
    expect(refusal(['--action', '-x'])).toBe('--action needs a value');
    expect(refusal(['--acton', '-x'])).toBe('unknown option --acton');
  });

  it('takes a value that starts with a dash when it is given inline', () => {
    expect(parseCommandLine(['--action=-x'], OPTIONS).values.action).toBe('-x');
  });
});
