import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

/** An ES256 key pair as the local runtime holds it: the private key, and the public JWK with its `kid`. */
export interface Es256Key {
  readonly privateKey: CryptoKey;
  /** Public members only, with `kid` = RFC 7638 thumbprint and `alg: ES256`. */
  readonly publicJwk: JWK;
}

/**
 * Loads the ES256 key at `path`, creating it on first use (private JWK, mode 0600) so tokens stay
 * verifiable across restarts; in memory when `path` is undefined. An unreadable file is replaced.
 */
export async function openEs256Key(path?: string): Promise<Es256Key> {
  let jwk: JWK | undefined;
  if (path) {
    try {
      jwk = JSON.parse(readFileSync(path, 'utf8')) as JWK;
    } catch {
      jwk = undefined;
    }
  }
  if (!jwk) {
    jwk = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
    if (path) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify(jwk), { mode: 0o600 });
    }
  }
  const { d: _d, ...publicPart } = jwk;
  const kid = await calculateJwkThumbprint(publicPart);
  return {
    privateKey: (await importJWK(jwk, 'ES256')) as CryptoKey,
    publicJwk: { ...publicPart, kid, alg: 'ES256' },
  };
}
