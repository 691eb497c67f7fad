import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { Api, pollUntilDecided, slackMessage, useTestRuntime } from './support';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./fixtures/verify_stepup_token.py', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, args, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });
}

let pyJwt: Promise<void> | undefined;

/** Fails (never skips) when PyJWT is missing, saying how to install it. */
function requirePyJwt(): Promise<void> {
  pyJwt ??= run(['-c', 'import jwt, cryptography; print(jwt.__version__)']).then((result) => {
    if (result.code !== 0) throw new Error(result.stderr.trim());
  });
  return pyJwt.catch((error: unknown) => {
    throw new Error(
      `The independent verifier needs PyJWT: \`${PYTHON} -c 'import jwt'\` failed ` +
        `(${error instanceof Error ? error.message : String(error)}). ` +
        'Install it with `apt-get install python3-jwt` (.ci/run installs it).',
    );
  });
}

describe('an independent verifier (PyJWT) accepts stepup tokens from the JWKS', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;

  useTestRuntime((started) => {
    ({ runtime, api, agent } = started);
  });

  async function approvedToken(overrides: Record<string, unknown> = {}): Promise<string> {
    const requestId = await api.createRequest(agent, overrides);
    await slackMessage(runtime, requestId);
    await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    const delivered = await pollUntilDecided(api, agent, requestId);
    expect(delivered.status).toBe(200);
    return delivered.body.access_token as string;
  }

  async function pyVerify(token: string, audience = 'orders-db'): Promise<Run> {
    await requirePyJwt();
    const jwks = (await api.get('/.well-known/jwks.json')).body;
    return run([SCRIPT, runtime.url, audience], JSON.stringify({ jwks, token }));
  }

  it('has PyJWT (python3-jwt) installed', async () => {
    await requirePyJwt();
  });

  it('verifies a good token and prints the same claims', async () => {
    const token = await approvedToken();
    const result = await pyVerify(token);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const claims = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(claims).toEqual(decodeJwt(token));
    expect(claims).toMatchObject({
      iss: runtime.url,
      aud: 'orders-db',
      sub: 'deploy-bot',
      client_id: 'deploy-bot',
      authorization_details: [
        {
          type: 'stepup_action',
          actions: ['db:DropTable'],
          identifier: 'prod/orders',
          locations: ['orders-db'],
        },
      ],
      approval: { approvers: ['U0ALICE'], policy: 'drop-prod-table' },
    });
    // Verifying elsewhere does not use the token up.
    const ordersDb = await runtime.devToken('orders-db');
    expect((await api.introspect(ordersDb, token)).body.active).toBe(true);
  });

  it('verifies a DPoP-bound token, cnf included', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const token = await approvedToken({ dpop_jwk: await exportJWK(publicKey) });
    const result = await pyVerify(token);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(decodeJwt(token));
    expect(JSON.parse(result.stdout)).toHaveProperty('cnf.jkt');
  });

  it('rejects a tampered token', async () => {
    const token = await approvedToken();
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'root' })).toString('base64url')}.${signature}`;
    const result = await pyVerify(tampered);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/rejected: InvalidSignatureError/);
  });

  it('rejects a token for another audience', async () => {
    const result = await pyVerify(await approvedToken(), 'payments-api');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/rejected: InvalidAudienceError/);
  });

  it('rejects a token signed by another key under the JWKS kid', async () => {
    const token = await approvedToken();
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT(decodeJwt(token))
      .setProtectedHeader(decodeProtectedHeader(token) as { alg: string })
      .sign(privateKey);
    const result = await pyVerify(forged);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/rejected: InvalidSignatureError/);
  });
});
