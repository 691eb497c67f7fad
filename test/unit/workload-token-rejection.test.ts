import { describe, expect, it } from 'vitest';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { workloadTokenRejection } from '../../lambdas/adapters/workload-token-rejection';

const EXPECTED = { issuer: 'https://idp.example', audience: 'stepup' };

describe('workloadTokenRejection: why a workload bearer was refused, never echoing it', async () => {
  const trusted = await generateKeyPair('ES256');
  const stranger = await generateKeyPair('ES256');
  const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(trusted.publicKey)), alg: 'ES256' }] });

  async function mint(claims: JWTPayload, key = trusted.privateKey): Promise<string> {
    return new SignJWT({ iss: EXPECTED.issuer, aud: EXPECTED.audience, sub: 'deploy-bot', ...claims })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuedAt()
      .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : '1h')
      .sign(key);
  }

  /** What verifying `token` as the local authorizer does is refused with. */
  async function rejectionOf(token: string): Promise<string> {
    const error = await jwtVerify(token, jwks, {
      ...EXPECTED,
      algorithms: ['ES256'],
      requiredClaims: ['sub', 'exp'],
    })
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(error).toBeDefined();
    const description = workloadTokenRejection(error, EXPECTED);
    expect(description).not.toContain(token);
    for (const part of token.split('.').filter((p) => p.length > 8)) expect(description).not.toContain(part);
    return description;
  }

  it('expired: says when', async () => {
    const exp = Math.floor(Date.now() / 1000) - 120;
    expect(await rejectionOf(await mint({ exp }))).toBe(
      `the workload token expired at ${new Date(exp * 1000).toISOString()}; get a fresh one from the identity provider`,
    );
  });

  it('signed by a key the configured issuer does not publish', async () => {
    expect(await rejectionOf(await mint({}, stranger.privateKey))).toBe(
      'the workload token is not signed by the configured issuer (https://idp.example)',
    );
  });

  it('another issuer, another audience, not yet valid', async () => {
    expect(await rejectionOf(await mint({ iss: 'https://other.example' }))).toBe(
      'the workload token is not issued by the configured issuer (https://idp.example)',
    );
    expect(await rejectionOf(await mint({ aud: 'someone-else' }))).toBe(
      'the workload token is for another audience; it must be for stepup',
    );
    expect(await rejectionOf(await mint({ nbf: Math.floor(Date.now() / 1000) + 3600 }))).toBe(
      'the workload token is not valid yet',
    );
  });

  it('malformed: not a signed JWT at all', async () => {
    for (const garbage of ['not-a-jwt', 'a.b.c', `${(await mint({})).slice(0, -10)}xxxxxxxxxx`]) {
      expect(await rejectionOf(garbage)).toMatch(
        /^(the bearer is not a well-formed signed JWT|the workload token is not signed by the configured issuer \(https:\/\/idp\.example\))$/,
      );
    }
    expect(await rejectionOf('not-a-jwt')).toBe('the bearer is not a well-formed signed JWT');
  });
});
