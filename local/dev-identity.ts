import { SignJWT, type JWK } from 'jose';
import { openEs256Key } from '../lambdas/adapters/local/es256-key-file';

/** Audience every dev workload token carries; the local authorizer requires it. */
export const DEV_AUDIENCE = 'stepup';

/** Audience of dev human id_tokens (the `subject_token` an agent passes on). */
export const DEV_HUMAN_AUDIENCE = 'stepup-humans';

/**
 * A development workload-identity issuer, local mode only: mints ES256 JWTs for any `sub`. The local
 * runtime trusts it beside the config's issuers, with the same verifier as the Lambda authorizer.
 */
export class DevIdentity {
  private constructor(
    readonly issuer: string,
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
  ) {}

  /** Loads or creates the dev issuer key (in memory when `keyPath` is undefined). */
  static async open(issuer: string, keyPath?: string): Promise<DevIdentity> {
    const { privateKey, publicJwk } = await openEs256Key(keyPath);
    return new DevIdentity(issuer, privateKey, publicJwk);
  }

  /**
   * A workload JWT for `sub`, valid for `ttlSeconds`, with extra string `claims` (e.g. GitHub Actions'
   * `repository_owner`, to try `agents.admit` rules locally).
   */
  async mint(sub: string, ttlSeconds = 3600, claims: Readonly<Record<string, string>> = {}): Promise<string> {
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: this.publicJwk.kid })
      .setIssuer(this.issuer)
      .setAudience(DEV_AUDIENCE)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.privateKey);
  }

  /** Issuer of dev human id_tokens. */
  get humanIssuer(): string {
    return `${this.issuer}/human`;
  }

  /** An OIDC-style id_token for a human, identified by `email`, valid for `ttlSeconds`. */
  async mintIdToken(email: string, ttlSeconds = 600): Promise<string> {
    return new SignJWT({ email, email_verified: true })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: this.publicJwk.kid })
      .setIssuer(this.humanIssuer)
      .setAudience(DEV_HUMAN_AUDIENCE)
      .setSubject(`human:${email}`)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.privateKey);
  }

  /** The issuer's public keys. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }
}
