/** A public key set as served at `/.well-known/jwks.json`. */
export interface JsonWebKeySet {
  readonly keys: readonly Record<string, unknown>[];
}

/** Signs access tokens (ES256, `typ: at+jwt`). The private key never leaves the adapter. */
export interface TokenSigner {
  sign(claims: Record<string, unknown>): Promise<string>;
  jwks(): Promise<JsonWebKeySet>;
}

/** Checks a token's signature, type, issuer and expiry; returns its claims, or undefined if any check fails. */
export interface TokenVerifier {
  verify(token: string): Promise<Record<string, unknown> | undefined>;
}
