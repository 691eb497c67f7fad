import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { HumanVerifier, VerifiedHuman } from '../ports/human-verifier';

/** Where humans' id_tokens come from and which claim names the human. */
export interface HumanIdentityProvider {
  readonly issuer: string;
  readonly audience: string;
  /** The provider's public keys: a JWKS URL, or a key resolver (the local dev issuer). */
  readonly keys: string | JWTVerifyGetKey;
  readonly claim: string;
}

/**
 * {@link HumanVerifier} for an OIDC provider: signature against its JWKS (asymmetric algorithms
 * only), issuer, audience and expiry; the human is the configured claim (e.g. `email`).
 */
export class JoseHumanVerifier implements HumanVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly provider: HumanIdentityProvider) {
    this.keys =
      typeof provider.keys === 'string' ? createRemoteJWKSet(new URL(provider.keys)) : provider.keys;
  }

  async verify(idToken: string): Promise<VerifiedHuman | undefined> {
    try {
      const { payload } = await jwtVerify(idToken, this.keys, {
        issuer: this.provider.issuer,
        audience: this.provider.audience,
        algorithms: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'],
        requiredClaims: ['exp', this.provider.claim],
      });
      const id = payload[this.provider.claim];
      return typeof id === 'string' && id.length > 0 && id.length <= 256 ? { id } : undefined;
    } catch {
      return undefined;
    }
  }
}
