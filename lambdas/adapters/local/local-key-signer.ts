import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { JsonWebKeySet, TokenSigner } from '../../ports/token-signer';

/**
 * {@link TokenSigner} with an ES256 key pair held in process, optionally persisted (private JWK,
 * mode 0600) so tokens stay verifiable across restarts. The local stand-in for the KMS signer.
 */
export class LocalKeySigner implements TokenSigner {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
  ) {}

  /** Loads the key at `path`, creating it on first use; in memory when `path` is undefined. */
  static async open(path?: string): Promise<LocalKeySigner> {
    let privateJwk: JWK | undefined;
    if (path) {
      try {
        privateJwk = JSON.parse(readFileSync(path, 'utf8')) as JWK;
      } catch {
        privateJwk = undefined;
      }
    }
    if (!privateJwk) {
      const pair = await generateKeyPair('ES256', { extractable: true });
      privateJwk = await exportJWK(pair.privateKey);
      if (path) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, JSON.stringify(privateJwk), { mode: 0o600 });
      }
    }
    const { d: _d, ...publicPart } = privateJwk;
    const kid = await calculateJwkThumbprint(publicPart);
    const privateKey = (await importJWK(privateJwk, 'ES256')) as CryptoKey;
    return new LocalKeySigner(privateKey, { ...publicPart, kid, alg: 'ES256', use: 'sig' });
  }

  async sign(claims: Record<string, unknown>): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: this.publicJwk.kid })
      .sign(this.privateKey);
  }

  async jwks(): Promise<JsonWebKeySet> {
    return { keys: [this.publicJwk as Record<string, unknown>] };
  }
}
