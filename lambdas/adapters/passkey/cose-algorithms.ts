/**
 * The COSE algorithms stepup registers and verifies passkeys with: EdDSA (Ed25519), ES256 (P-256)
 * and RS256, in the order WebAuthn L3 recommends. Every passkey platform offers one of them; a key
 * of any other algorithm is refused at registration, so every stored key is one of these.
 */
export const COSE_ALGORITHMS = { EdDSA: -8, ES256: -7, RS256: -257 } as const;

/** {@link COSE_ALGORITHMS} in the order of preference, for `pubKeyCredParams`. */
export const PREFERRED_COSE_ALGORITHMS: readonly number[] = [
  COSE_ALGORITHMS.EdDSA,
  COSE_ALGORITHMS.ES256,
  COSE_ALGORITHMS.RS256,
];
