import { text } from 'node:stream/consumers';
import { StepUpApiError, type AwsCredentials, type GrantedToken } from '../agent';
import { onePositional, parseCommandLine, UsageError } from './args';
import { waitForOutcome, type AgentContext } from './agent-commands';
import { clientFor, connection, CONNECTION_OPTIONS } from './connection';
import { AwsCredentialsCache, stateDir } from './credentials-cache';
import { EXIT } from './exit-codes';
import type { Output } from './policy-command';

export const CREDENTIALS_USAGE = `usage:
  stepup credentials aws ID [--format env|json|credential-process] [--subject-token-stdin]

credentials aws  exchanges the token of approved request ID, once, for AWS credentials that can make
          exactly the approved call (for audiences stepup maps to an AWS role). Collects the token
          itself, waiting for the decision like stepup wait; a token already collected (by
          request --wait or wait) is read from stdin with --subject-token-stdin.
          The credentials are kept in $STEPUP_STATE_DIR (default ~/.local/state/stepup, mode 0600)
          until they expire, so running it again for ID prints the same ones.
          --format env (default): export lines for a shell: eval "$(stepup credentials aws ID)"
          --format json: {access_key_id, secret_access_key, session_token, expiration, region}
          --format credential-process: the JSON the AWS CLI and SDKs read from credential_process`;

const FORMATS = ['env', 'json', 'credential-process'] as const;
type Format = (typeof FORMATS)[number];

/** A request id as the API issues them; anything else cannot name a cache file safely. */
const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `'value'`, safe to paste into a POSIX shell whatever it contains. */
function shellQuoted(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The credentials as `format` prints them. */
export function formatCredentials(credentials: AwsCredentials, format: Format): string {
  const expiration = credentials.expiration.toISOString();
  switch (format) {
    case 'env':
      return [
        `export AWS_ACCESS_KEY_ID=${shellQuoted(credentials.accessKeyId)}`,
        `export AWS_SECRET_ACCESS_KEY=${shellQuoted(credentials.secretAccessKey)}`,
        `export AWS_SESSION_TOKEN=${shellQuoted(credentials.sessionToken)}`,
        `export AWS_CREDENTIAL_EXPIRATION=${shellQuoted(expiration)}`,
        `export AWS_REGION=${shellQuoted(credentials.region)}`,
      ].join('\n');
    case 'json':
      return JSON.stringify(
        {
          access_key_id: credentials.accessKeyId,
          secret_access_key: credentials.secretAccessKey,
          session_token: credentials.sessionToken,
          expiration,
          region: credentials.region,
        },
        null,
        2,
      );
    case 'credential-process':
      // Exactly the documented shape: Version 1, and nothing the SDKs would not expect.
      return JSON.stringify({
        Version: 1,
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: credentials.secretAccessKey,
        SessionToken: credentials.sessionToken,
        Expiration: expiration,
      });
  }
}

/** The `approval.request_id` a stepup token names, read without verifying it (stepup verifies it). */
function requestIdOf(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      approval?: { request_id?: unknown };
    };
    return typeof payload.approval?.request_id === 'string' ? payload.approval.request_id : undefined;
  } catch {
    return undefined;
  }
}

/** The token from stdin, checked to be for request `id` (so it is cached under the right name). */
async function tokenFromStdin(id: string, context: AgentContext): Promise<string> {
  const token = (await text(context.stdin ?? process.stdin)).trim();
  if (!token) throw new UsageError('--subject-token-stdin: nothing on stdin');
  const named = requestIdOf(token);
  if (named !== id) {
    throw new UsageError(
      `--subject-token-stdin: that is not a stepup token for request ${id}` +
        (named ? ` (it is for ${named})` : ''),
    );
  }
  return token;
}

/** `stepup credentials aws ID`: the approved request's token, exchanged once for AWS credentials. */
export async function credentialsCommand(
  argv: readonly string[],
  output: Output,
  context: AgentContext,
): Promise<number> {
  const [kind, ...rest] = argv;
  if (kind !== 'aws') {
    throw new UsageError(kind ? `unknown credentials kind "${kind}" (only aws)` : 'missing credentials kind');
  }
  const { values, positionals } = parseCommandLine(rest, {
    format: { type: 'string' },
    'subject-token-stdin': { type: 'boolean' },
    ...CONNECTION_OPTIONS,
  });
  const id = onePositional(positionals, 'stepup credentials aws takes one request id');
  if (!REQUEST_ID.test(id)) throw new UsageError(`not a request id: "${id.slice(0, 64)}"`);
  const format = (values.format ?? 'env') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format takes ${FORMATS.join(', ')}`);

  const cache = new AwsCredentialsCache(stateDir(context.env));
  const cached = await cache.get(id);
  if (cached) {
    output.out(formatCredentials(cached, format));
    return EXIT.ok;
  }
  const client = clientFor(connection(context.env, values));
  let token: string | GrantedToken;
  if (values['subject-token-stdin'] === true) token = await tokenFromStdin(id, context);
  else {
    const waited = await waitForOutcome(await client.resume(id), output, context).catch((error: unknown) => {
      if (!(error instanceof StepUpApiError && error.code === 'invalid_grant')) throw error;
      output.err(
        `stepup: ${error.message}. If you hold it (from stepup request --wait or stepup wait), pass it ` +
          `on stdin: stepup credentials aws ${id} --subject-token-stdin`,
      );
      return EXIT.error;
    });
    if (typeof waited === 'number') return waited;
    token = waited;
  }
  try {
    const credentials = await cache.getOrExchange(id, () => client.exchangeForAwsCredentials(token));
    output.out(formatCredentials(credentials, format));
    return EXIT.ok;
  } catch (error) {
    if (error instanceof StepUpApiError && error.code === 'invalid_request') {
      output.err(
        `stepup: ${error.message}. A stepup token is exchanged once; ${id}'s was already used, or ` +
          'it has expired or been revoked. Ask for a new approval.',
      );
      return EXIT.error;
    }
    throw error;
  }
}
