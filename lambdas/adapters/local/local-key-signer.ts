import { SignJWT, type JWK } from 'jose';
import { openEs256Key } from './es256-key-file';
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
    const { privateKey, publicJwk } = await openEs256Key(path);
    return new LocalKeySigner(privateKey, { ...publicJwk, use: 'sig' });
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
