import { readFileSync } from 'node:fs';
import { StepUpClient, type StepUpClientOptions } from '../agent';
import { UsageError } from './args';

/** The connection flags every command that talks to stepup declares (`--url`, `--token`). */
export const CONNECTION_OPTIONS = { url: { type: 'string' }, token: { type: 'string' } } as const;

/** The values of {@link CONNECTION_OPTIONS} as a command parsed them. */
export interface ConnectionFlags {
  readonly url?: string;
  readonly token?: string;
}

/** Where stepup runs when nothing else is said: the local runtime of `npm start`. */
export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** How to reach stepup and as whom, from flags and environment. */
export interface Connection {
  readonly url: string;
  /** Returns the agent's workload JWT; read afresh on each call (a token file may be rotated). */
  readonly token: () => string;
}

/** stepup's URL: `--url`, else `$STEPUP_URL`, else the local runtime. */
export function stepupUrl(env: NodeJS.ProcessEnv, flags: ConnectionFlags = {}): string {
  const url = flags.url || env.STEPUP_URL || DEFAULT_URL;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new UsageError(`not an http(s) URL: ${url}`);
  }
  return url;
}

/**
 * The agent's identity: `--token`, else `$STEPUP_TOKEN`, else the file named by `$STEPUP_TOKEN_FILE`
 * (e.g. a projected Kubernetes service-account token, re-read on every call).
 * @throws UsageError when none is given
 */
export function connection(env: NodeJS.ProcessEnv, flags: ConnectionFlags = {}): Connection {
  const url = stepupUrl(env, flags);
  const literal = flags.token || env.STEPUP_TOKEN;
  if (literal) return { url, token: () => literal.trim() };
  const file = env.STEPUP_TOKEN_FILE;
  if (file) {
    return {
      url,
      token: () => {
        try {
          return readFileSync(file, 'utf8').trim();
        } catch (error) {
          throw new Error(`cannot read STEPUP_TOKEN_FILE ${file}: ${(error as Error).message}`, {
            cause: error,
          });
        }
      },
    };
  }
  throw new UsageError(
    'no workload token: set STEPUP_TOKEN (or STEPUP_TOKEN_FILE, or pass --token).\n' +
      `Locally: export STEPUP_TOKEN=$(stepup dev token --sub deploy-bot)`,
  );
}

/** A client for `connection`. */
export function clientFor(
  conn: Connection,
  options: Partial<Omit<StepUpClientOptions, 'baseUrl' | 'token'>> = {},
): StepUpClient {
  return new StepUpClient({ baseUrl: conn.url, token: conn.token, ...options });
}
