import type { PasskeyCredential, PasskeyLink } from '../domain/passkey/passkey-link';

/** The passkey an approver proved with (an assertion), and the counter it reported. */
export interface PasskeyProof {
  readonly credentialId: string;
  readonly counter: number;
  readonly at: string;
}

/**
 * Where passkey links and approvers' passkeys live (the requests' table in AWS and locally). Every
 * change is one conditional write, so a link is used once and a signature counter only moves up.
 */
export interface PasskeyStore {
  /** Stores a new link; its id is fresh randomness, so it never overwrites one. */
  putLink(link: PasskeyLink): Promise<void>;
  getLink(id: string): Promise<PasskeyLink | undefined>;
  /**
   * Sets the challenge nonce of a link shown on a page.
   * @returns false when the link was used meanwhile
   */
  setLinkNonce(id: string, nonce: string): Promise<boolean>;
  /**
   * Marks the link used, if it is unused, carries `nonce` and has not expired at `at`.
   * @returns false when another call used it first (or it expired, or a newer page replaced the nonce)
   */
  useLink(id: string, nonce: string, at: string): Promise<boolean>;
  /** The passkeys of one Slack user (empty when none). */
  credentials(user: string): Promise<PasskeyCredential[]>;
  /**
   * Adds one passkey of `user` (a credential id already stored is refused: false). With `proof`, in
   * the same conditional write the proving passkey must still be there and its counter go up.
   */
  addCredential(user: string, credential: PasskeyCredential, proof?: PasskeyProof): Promise<boolean>;
  /**
   * Removes one passkey of `user`, in one conditional write that also requires `proof` (the passkey
   * that asserted, possibly the same one) to be there with a counter that goes up.
   * @returns false when either is gone or the counter did not go up
   */
  removeCredential(user: string, credentialId: string, proof: PasskeyProof): Promise<boolean>;
  /**
   * Moves a credential's signature counter to `counter` and records its use, only if the stored
   * counter is lower (or both are 0: authenticators without a counter).
   * @returns false when the credential is gone or its counter is not lower
   */
  advanceCounter(user: string, credentialId: string, counter: number, at: string): Promise<boolean>;
  /** Removes every passkey of `user`. @returns how many were removed */
  removeCredentials(user: string): Promise<number>;
}
