import { readFileSync } from 'node:fs';
import { promptDigest, type ElevationTrace } from '../agent';
import { UsageError } from './args';

/** The flags of `stepup request` that fill its `trace` (see {@link traceFlags}). */
export const TRACE_OPTIONS = {
  traceparent: { type: 'string' },
  'trace-session': { type: 'string' },
  'tool-call': { type: 'string' },
  'prompt-sha256': { type: 'string' },
  'prompt-file': { type: 'string' },
  model: { type: 'string' },
} as const;

/** The values of {@link TRACE_OPTIONS} as a command parsed them. */
export type TraceFlagValues = { readonly [name in keyof typeof TRACE_OPTIONS]?: string };

/** The usage lines of {@link TRACE_OPTIONS}. */
export const TRACE_USAGE = `                 [--traceparent TRACEPARENT] [--trace-session ID] [--tool-call ID]
                 [--prompt-sha256 DIGEST | --prompt-file FILE] [--model NAME]`;

/**
 * The request's `trace` from the command line: `--traceparent` (W3C), `--trace-session`,
 * `--tool-call`, `--model`, and the prompt's digest, given (`--prompt-sha256`) or computed here
 * from a file (`--prompt-file`: only the SHA-256 of its bytes is sent, never the prompt). The
 * server checks each member's shape.
 * @throws UsageError for both prompt flags, or an unreadable prompt file
 */
export function traceFlags(flags: TraceFlagValues): ElevationTrace | undefined {
  const given = flags['prompt-sha256'];
  const file = flags['prompt-file'];
  if (given !== undefined && file !== undefined) {
    throw new UsageError('give --prompt-sha256 or --prompt-file, not both');
  }
  let promptSha256 = given;
  if (file !== undefined) {
    try {
      promptSha256 = promptDigest(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`--prompt-file: cannot read ${file}: ${(error as Error).message}`);
    }
  }
  const trace: ElevationTrace = {
    traceparent: flags.traceparent,
    sessionId: flags['trace-session'],
    toolCallId: flags['tool-call'],
    promptSha256,
    model: flags.model,
  };
  return Object.values(trace).some((value) => value !== undefined) ? trace : undefined;
}
