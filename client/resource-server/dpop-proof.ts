import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import { reason, StepUpTokenError } from './errors';

/** The DPoP proof a request came with, and the request it must be for (RFC 9449 §4.3). */
export interface DpopRequest {
  /** The value of the request's single `DPoP` header. */
  readonly proof: string;
  /** The request's HTTP method, e.g. `POST`. */
  readonly method: string;
  /** The request's full URL as the client addressed it (query and fragment are ignored). */
  readonly url: string;
}

/** Remembers DPoP proof `jti`s so each proof is accepted once. Share one across a verifier's calls. */
export interface DpopReplayCache {
  /**
   * Records `jti` until `expiresAt` (epoch seconds).
   * @returns true when `jti` was not seen before (the proof may be accepted), false on a replay
   */
  remember(jti: string, expiresAt: number): boolean | Promise<boolean>;
}

/**
 * A {@link DpopReplayCache} in this process's memory, expired entries dropped as it goes. Enough for
 * one resource-server instance; several instances behind a load balancer need a shared store.
 */
export class InMemoryDpopReplayCache implements DpopReplayCache {
  private readonly seen = new Map<string, number>();

  /** @param now the current time in epoch seconds */
  constructor(private readonly now: () => number = () => Date.now() / 1000) {}

  remember(jti: string, expiresAt: number): boolean {
    const now = this.now();
    for (const [key, until] of this.seen) {
      if (until <= now) this.seen.delete(key);
    }
    const until = this.seen.get(jti);
    if (until !== undefined && until > now) return false;
    this.seen.set(jti, expiresAt);
    return true;
  }

  /** Entries currently remembered. */
  get size(): number {
    return this.seen.size;
  }
}

/** Asymmetric JWS algorithms accepted for DPoP proofs by default (never `none` or HMAC). */
export const DEFAULT_DPOP_ALGORITHMS: readonly string[] = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'Ed25519',
];

/** How {@link verifyDpopProof} judges a proof. */
export interface DpopProofPolicy {
  /** Accepted proof algorithms; each must be asymmetric. @default {@link DEFAULT_DPOP_ALGORITHMS} */
  readonly algorithms?: readonly string[];
  /** How far a proof's `iat` may be from now, either way, in seconds. @default 60 */
  readonly maxSkewSeconds?: number;
  readonly replayCache: DpopReplayCache;
  /** @default the system clock */
  readonly now?: Date;
}

/** The claims of an accepted DPoP proof. */
export interface DpopProofClaims {
  readonly jti: string;
  readonly htm: string;
  readonly htu: string;
  readonly iat: number;
  readonly ath: string;
  /** RFC 7638 thumbprint of the proof's key (equals the token's `cnf.jkt`). */
  readonly jkt: string;
}

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];

/** `ath`: base64url(SHA-256(access token)), as a DPoP proof carries it (RFC 9449 §4.2). */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** A URL without query and fragment, normalized (scheme/host case, default port, dot segments). */
function targetUri(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    return `${url.origin}${url.pathname}`;
  } catch {
    return undefined;
  }
}

function invalid(message: string, cause?: unknown): StepUpTokenError {
  return new StepUpTokenError('invalid_dpop_proof', `invalid DPoP proof: ${message}`, { cause });
}

/**
 * Checks a DPoP proof for a request with a key-bound access token (RFC 9449 §4.3): a JWT with
 * `typ: dpop+jwt`, an asymmetric `alg` and a public `jwk` header whose signature verifies with that
 * key; `htm`/`htu` match the request, `iat` is recent, `ath` is the token's hash, the key's
 * thumbprint is `jkt`, and `jti` was not seen before (it is remembered only when all else passed).
 * @throws StepUpTokenError `invalid_dpop_proof`, `dpop_key_mismatch` or `dpop_replay`
 */
export async function verifyDpopProof(
  request: DpopRequest,
  binding: { readonly jkt: string; readonly accessToken: string },
  policy: DpopProofPolicy,
): Promise<DpopProofClaims> {
  const { proof } = request;
  if (typeof proof !== 'string' || proof.length === 0 || proof.length > 8192) {
    throw invalid('not a compact JWS');
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch (error) {
    throw invalid(reason(error), error);
  }
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw invalid('the "jwk" header must be a JWK object');
  }
  if (PRIVATE_JWK_MEMBERS.some((member) => member in jwk)) {
    throw invalid('the "jwk" header must be a public key: it contains private key material');
  }
  const now = policy.now ?? new Date();
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [...(policy.algorithms ?? DEFAULT_DPOP_ALGORITHMS)],
      requiredClaims: ['jti', 'htm', 'htu', 'iat'],
      currentDate: now,
    }));
  } catch (error) {
    throw invalid(reason(error), error);
  }

  let jkt: string;
  try {
    jkt = await calculateJwkThumbprint(jwk as JWK, 'sha256');
  } catch (error) {
    throw invalid(reason(error), error);
  }
  if (jkt !== binding.jkt) {
    throw new StepUpTokenError(
      'dpop_key_mismatch',
      'the DPoP proof is signed by a key other than the one the token is bound to (cnf.jkt)',
    );
  }

  const { jti, htm, htu, iat, ath } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) {
    throw invalid('"jti" must be a string of 1 to 256 characters');
  }
  if (typeof htm !== 'string' || htm !== request.method) {
    throw invalid(`"htm" does not match the request method ${request.method}`);
  }
  const expectedUri = targetUri(request.url);
  if (!expectedUri) throw invalid(`the request URL ${request.url} is not an absolute http(s) URL`);
  if (typeof htu !== 'string' || targetUri(htu) !== expectedUri) {
    throw invalid(`"htu" does not match the request URL ${expectedUri}`);
  }
  const skew = policy.maxSkewSeconds ?? 60;
  const nowSeconds = now.getTime() / 1000;
  if (typeof iat !== 'number' || Math.abs(nowSeconds - iat) > skew) {
    throw invalid(`"iat" is more than ${skew} s from now`);
  }
  if (typeof ath !== 'string' || ath !== accessTokenHash(binding.accessToken)) {
    throw invalid('"ath" is not the hash of the presented access token');
  }
  if (!(await policy.replayCache.remember(jti, Math.ceil(iat + skew) + 1))) {
    throw new StepUpTokenError('dpop_replay', 'the DPoP proof was already used (its jti was seen before)');
  }
  return { jti, htm, htu, iat, ath, jkt };
}
