import type { PasskeyCredential } from '../domain/passkey/passkey-link';

/** The JSON a browser's `navigator.credentials` call produced, as `@simplewebauthn/browser` encodes it. */
export type CeremonyResponse = Readonly<Record<string, unknown>>;

/** Options for `navigator.credentials.create`, JSON-encoded for the page. */
export type CeremonyOptions = object;

/** A verified assertion: the credential's new counter, and whether the user was verified. */
export interface VerifiedAssertion {
  readonly newCounter: number;
  readonly userVerified: boolean;
}

/**
 * The WebAuthn relying party: options for the browser and verification of what it answers, for the
 * configured RP ID and origin, always with user verification required.
 */
export interface PasskeyCeremony {
  registrationOptions(input: {
    readonly user: string;
    readonly challenge: Uint8Array;
    readonly exclude: readonly PasskeyCredential[];
  }): Promise<CeremonyOptions>;
  /** @returns the new credential, or undefined when the response does not verify */
  verifyRegistration(input: {
    readonly response: CeremonyResponse;
    readonly challenge: Uint8Array;
    readonly at: string;
  }): Promise<PasskeyCredential | undefined>;
  authenticationOptions(input: {
    readonly challenge: Uint8Array;
    readonly allow: readonly PasskeyCredential[];
  }): Promise<CeremonyOptions>;
  /**
   * Verifies an assertion for `challenge` by `credential` (signature, origin, RP ID, user presence and
   * verification, a counter that went up).
   * @returns undefined when it does not verify
   */
  verifyAuthentication(input: {
    readonly response: CeremonyResponse;
    readonly challenge: Uint8Array;
    readonly credential: PasskeyCredential;
  }): Promise<VerifiedAssertion | undefined>;
}
