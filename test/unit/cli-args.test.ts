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
    expect(refusal(['-j'])).toBe('unknown option -j');
    expect(refusal(['--action'])).toBe('--action needs a value');
    expect(refusal(['--action', '--json'])).toBe('--action needs a value');
    expect(refusal(['--json=yes'])).toBe('--json takes no value');
    expect(refusal(['--action', 'a', '--action', 'b'])).toBe('--action given more than once');
  });

  it('takes a value that starts with a dash when it is given inline', () => {
    expect(parseCommandLine(['--action=-x'], OPTIONS).values.action).toBe('-x');
  });
});
