import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { TokenSigner, TokenVerifier } from '../ports/token-signer';

/**
 * {@link TokenVerifier} against the signer's own public keys: ES256 only, `typ: at+jwt`, our issuer,
 * not expired. Any failure is "not valid", never an error, so introspection answers `active: false`.
 */
export class JoseTokenVerifier implements TokenVerifier {
  private keySet?: Promise<ReturnType<typeof createLocalJWKSet>>;

  constructor(
    private readonly signer: TokenSigner,
    private readonly issuer: string,
  ) {}

  async verify(token: string): Promise<Record<string, unknown> | undefined> {
    this.keySet ??= this.signer.jwks().then((jwks) => createLocalJWKSet(jwks as JSONWebKeySet));
    const keys = await this.keySet;
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: ['ES256'],
        typ: 'at+jwt',
        issuer: this.issuer,
        requiredClaims: ['aud', 'exp', 'jti', 'sub'],
      });
      return payload;
    } catch {
      return undefined;
    }
  }
}
