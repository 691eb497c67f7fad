import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ACCESS_TOKEN_TYP } from '../contract';
import type { TokenSigner, TokenVerifier } from '../ports/token-signer';

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeObject(segment: string): Record<string, unknown> | undefined {
  if (!SEGMENT.test(segment)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * {@link TokenVerifier} for stepup's own access tokens, against the signer's public keys: exactly
 * ES256 (`R‖S`, 64 bytes), `typ: at+jwt`, a known `kid`, no `crit`, our issuer, not expired, not
 * before `nbf`, with `aud`, `sub` and `jti`. Any failure is "not valid", never an error, so
 * introspection answers `active: false`.
 *
 * It uses node:crypto directly rather than a JOSE library: introspection runs on every use of a
 * token, and synchronous `crypto.verify` is several times faster than WebCrypto's (design §9
 * budgets introspection against a bare DynamoDB update). Nothing else is accepted, so the narrow
 * check is the whole check.
 */
export class Es256TokenVerifier implements TokenVerifier {
  private keys?: Promise<Map<string, KeyObject>>;

  constructor(
    private readonly signer: TokenSigner,
    private readonly issuer: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private loadKeys(): Promise<Map<string, KeyObject>> {
    if (!this.keys) {
      this.keys = this.signer.jwks().then(({ keys }) => {
        const byKid = new Map<string, KeyObject>();
        for (const jwk of keys) {
          if (typeof jwk.kid !== 'string' || jwk.kty !== 'EC' || jwk.crv !== 'P-256') continue;
          byKid.set(jwk.kid, createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }));
        }
        return byKid;
      });
      this.keys.catch(() => (this.keys = undefined));
    }
    return this.keys;
  }

  async verify(token: string): Promise<Record<string, unknown> | undefined> {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [headerSegment = '', payloadSegment = '', signatureSegment = ''] = parts;
    const header = decodeObject(headerSegment);
    if (!header || header.alg !== 'ES256' || header.typ !== ACCESS_TOKEN_TYP || 'crit' in header)
      return undefined;
    const key = typeof header.kid === 'string' ? (await this.loadKeys()).get(header.kid) : undefined;
    if (!key || !SEGMENT.test(signatureSegment)) return undefined;
    const signature = Buffer.from(signatureSegment, 'base64url');
    if (signature.length !== 64) return undefined;
    const signed = Buffer.from(`${headerSegment}.${payloadSegment}`);
    if (!verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature)) return undefined;

    const claims = decodeObject(payloadSegment);
    const now = Math.floor(this.now().getTime() / 1000);
    if (!claims || claims.iss !== this.issuer) return undefined;
    if (typeof claims.exp !== 'number' || claims.exp <= now) return undefined;
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) return undefined;
    if (typeof claims.aud !== 'string' || typeof claims.sub !== 'string' || typeof claims.jti !== 'string') {
      return undefined;
    }
    return claims;
  }
}
