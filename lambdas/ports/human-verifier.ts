/** A human proven by their own OIDC id_token (`subject_token`). */
export interface VerifiedHuman {
  /** The human's id as stepup records it (the configured claim, e.g. email). */
  readonly id: string;
}

/** Verifies a human's id_token against the configured human identity provider. */
export interface HumanVerifier {
  /** The human, or undefined when the token is not valid (signature, issuer, audience, expiry). */
  verify(idToken: string): Promise<VerifiedHuman | undefined>;
}
