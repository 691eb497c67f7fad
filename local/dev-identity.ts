import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
  type JWTPayload,
} from 'jose';

/** Audience every dev workload token carries; the local authorizer requires it. */
export const DEV_AUDIENCE = 'stepup';

/** Audience of dev human id_tokens (the `subject_token` an agent passes on). */
export const DEV_HUMAN_AUDIENCE = 'stepup-humans';

/**
 * A development workload-identity issuer, local mode only: mints ES256 JWTs for any `sub`, and
 * verifies bearers the way the HTTP API's JWT authorizer does in AWS (issuer, audience, expiry).
 */
export class DevIdentity {
  private constructor(
    readonly issuer: string,
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
  ) {}

  /** Loads or creates the dev issuer key (in memory when `keyPath` is undefined). */
  static async open(issuer: string, keyPath?: string): Promise<DevIdentity> {
    let jwk: JWK | undefined;
    if (keyPath) {
      try {
        jwk = JSON.parse(readFileSync(keyPath, 'utf8')) as JWK;
      } catch {
        jwk = undefined;
      }
    }
    if (!jwk) {
      jwk = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
      if (keyPath) {
        mkdirSync(dirname(keyPath), { recursive: true });
        writeFileSync(keyPath, JSON.stringify(jwk), { mode: 0o600 });
      }
    }
    const { d: _d, ...publicPart } = jwk;
    const kid = await calculateJwkThumbprint(publicPart);
    return new DevIdentity(issuer, (await importJWK(jwk, 'ES256')) as CryptoKey, {
      ...publicPart,
      kid,
      alg: 'ES256',
    });
  }

  /** A workload JWT for `sub`, valid for `ttlSeconds`. */
  async mint(sub: string, ttlSeconds = 3600): Promise<string> {
    return new SignJWT({})
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

  /** The claims of a valid bearer, or undefined. */
  async verify(token: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(this.jwks()), {
        issuer: this.issuer,
        audience: DEV_AUDIENCE,
        algorithms: ['ES256'],
        requiredClaims: ['sub', 'exp'],
      });
      return payload;
    } catch {
      return undefined;
    }
  }

  /** The issuer's public keys. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }
}
