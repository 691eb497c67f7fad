import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { TrustedIssuer } from '../domain/agents/trusted-issuers';
import { StepUpError } from '../domain/errors';
import { workloadTokenRejection } from './workload-token-rejection';

/** Asymmetric algorithms only: a JWKS never holds a shared secret, and `none` is never accepted. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** One issuer the verifier trusts, with where its keys come from. */
export interface VerifierIssuer extends TrustedIssuer {
  /** Its keys: found by OIDC discovery (or `jwksUri`) when absent; a resolver for the local dev issuer. */
  readonly keys?: JWTVerifyGetKey;
}

/**
 * Where an issuer publishes its keys: `jwksUri` when configured, else its OIDC discovery document's
 * `jwks_uri` (`<issuer>/.well-known/openid-configuration`, whose `issuer` must be the issuer itself,
 * as OIDC Discovery §4.3 requires).
 */
async function discoverJwksUri(issuer: TrustedIssuer): Promise<URL> {
  if (issuer.jwksUri) return new URL(issuer.jwksUri);
  const response = await fetch(`${issuer.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`discovery of ${issuer.issuer} answered ${response.status}`);
  const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (document.issuer !== issuer.issuer || typeof document.jwks_uri !== 'string') {
    throw new Error(`discovery of ${issuer.issuer} did not name that issuer and a jwks_uri`);
  }
  return new URL(document.jwks_uri);
}

/**
 * Verifies workload JWTs from several issuers at once, each against its own audiences and keys: the
 * token's (unverified) `iss` picks the issuer, and the signature, `iss`, `aud`, `exp` and `nbf` are
 * then checked as API Gateway's JWT authorizer checks them. Keys are fetched once per container and
 * cached by jose (refetched, at most every 30 s, when a token names an unknown `kid`), so a warm call
 * is a local signature check. The Lambda authorizer and the local runtime both verify with this.
 */
export class WorkloadTokenVerifier {
  private readonly keys = new Map<string, Promise<JWTVerifyGetKey>>();

  constructor(private readonly issuers: readonly VerifierIssuer[]) {}

  /**
   * The claims of a valid bearer.
   * @throws StepUpError `invalid_token` saying why (another issuer, expired at…, wrong audience, …)
   */
  async verify(token: string): Promise<JWTPayload> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch (error) {
      throw new StepUpError('invalid_token', workloadTokenRejection(error, this.expected()));
    }
    const issuer = this.issuers.find((candidate) => candidate.issuer === iss);
    if (!issuer) {
      throw new StepUpError(
        'invalid_token',
        `the workload token is not issued by an issuer stepup trusts (${this.expected().issuer})`,
      );
    }
    let keys: JWTVerifyGetKey;
    try {
      keys = await this.keysOf(issuer);
    } catch {
      throw new StepUpError(
        'temporarily_unavailable',
        `the keys of ${issuer.issuer} could not be fetched; try again shortly`,
      );
    }
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: issuer.issuer,
        audience: [...issuer.audience],
        algorithms: ALGORITHMS,
        requiredClaims: ['sub', 'exp'],
      });
      return payload;
    } catch (error) {
      throw new StepUpError(
        'invalid_token',
        workloadTokenRejection(error, { issuer: issuer.issuer, audience: issuer.audience.join(' or ') }),
      );
    }
  }

  private expected(): { issuer: string; audience: string } {
    return {
      issuer: this.issuers.map((i) => i.issuer).join(', '),
      audience: [...new Set(this.issuers.flatMap((i) => i.audience))].join(' or '),
    };
  }

  /** The issuer's key resolver; a failed discovery is forgotten, so the next call tries again. */
  private keysOf(issuer: VerifierIssuer): Promise<JWTVerifyGetKey> {
    if (issuer.keys) return Promise.resolve(issuer.keys);
    let keys = this.keys.get(issuer.issuer);
    if (!keys) {
      keys = discoverJwksUri(issuer).then((uri) => createRemoteJWKSet(uri));
      keys.catch(() => this.keys.delete(issuer.issuer));
      this.keys.set(issuer.issuer, keys);
    }
    return keys;
  }
}
