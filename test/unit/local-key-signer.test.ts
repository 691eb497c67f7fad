import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalKeySigner } from '../../lambdas/adapters/local/local-key-signer';

const dir = mkdtempSync(join(tmpdir(), 'stepup-key-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const claims = {
  iss: 'https://stepup.test',
  aud: 'db-admin-api',
  sub: 'deploy-bot',
  jti: 'j-1',
  exp: 4_102_444_800,
};

async function verifyWith(signer: LocalKeySigner, token: string) {
  return jwtVerify(token, createLocalJWKSet((await signer.jwks()) as JSONWebKeySet), {
    algorithms: ['ES256'],
    typ: 'at+jwt',
  });
}

describe('LocalKeySigner in memory', () => {
  it('signs ES256 at+jwt tokens that jose verifies against its JWKS', async () => {
    const signer = await LocalKeySigner.open();
    const token = await signer.sign(claims);
    const { payload, protectedHeader } = await verifyWith(signer, token);
    expect(payload).toEqual(claims);
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
  });

  it('publishes only the public key, named by its thumbprint', async () => {
    const signer = await LocalKeySigner.open();
    const { keys } = await signer.jwks();
    expect(keys).toHaveLength(1);
    const jwk = keys[0] as JWK;
    expect(jwk).not.toHaveProperty('d');
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwk.kid).toBe(await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }));
    expect(decodeProtectedHeader(await signer.sign(claims)).kid).toBe(jwk.kid);
  });

  it('makes a new key each time, so tokens from one do not verify with another', async () => {
    const a = await LocalKeySigner.open();
    const b = await LocalKeySigner.open();
    expect((await a.jwks()).keys[0]?.kid).not.toBe((await b.jwks()).keys[0]?.kid);
    await expect(verifyWith(b, await a.sign(claims))).rejects.toThrow();
  });
});

describe('LocalKeySigner persisted', () => {
  it('creates the key file (mode 0600, parent directories included) and reloads it with the same kid', async () => {
    const path = join(dir, 'nested', 'deeper', 'signing-key.json');
    const first = await LocalKeySigner.open(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const token = await first.sign(claims);

    const second = await LocalKeySigner.open(path);
    expect(await second.jwks()).toEqual(await first.jwks());
    expect((await verifyWith(second, token)).payload).toEqual(claims);
    expect((await verifyWith(first, await second.sign(claims))).payload).toEqual(claims);
  });

  it('keeps the private key only in the file, never in what it returns', async () => {
    const path = join(dir, 'private.json');
    const signer = await LocalKeySigner.open(path);
    const { d } = JSON.parse(readFileSync(path, 'utf8')) as JWK;
    expect(d).toEqual(expect.any(String));
    const token = await signer.sign(claims);
    expect(JSON.stringify(await signer.jwks())).not.toContain(d);
    expect(token).not.toContain(d);
  });

  it('replaces an unreadable key file with a fresh key', async () => {
    const path = join(dir, 'corrupt.json');
    writeFileSync(path, 'not json');
    const signer = await LocalKeySigner.open(path);
    expect((await verifyWith(signer, await signer.sign(claims))).payload).toEqual(claims);
    const reloaded = await LocalKeySigner.open(path);
    expect(await reloaded.jwks()).toEqual(await signer.jwks());
  });
});
