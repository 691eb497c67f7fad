import { createHash, randomBytes } from 'node:crypto';

/** How long a vote link stays valid: long enough to open it and touch the authenticator. */
export const VOTE_LINK_SECONDS = 120;

/** How long an enrolment link stays valid. */
export const ENROL_LINK_SECONDS = 600;

/** What a link is for: confirming one decision on one request, or registering passkeys. */
export type PasskeyLinkPurpose = 'vote' | 'enrol';

/**
 * A one-time link to stepup's approval page, handed privately to one Slack user. Stored under the
 * digest of its secret, so the table never holds a usable link.
 */
export interface PasskeyLink {
  /** SHA-256 of the link's secret, base64url. */
  readonly id: string;
  readonly purpose: PasskeyLinkPurpose;
  /** The Slack user (and workspace) the link was given to: only their passkeys are accepted. */
  readonly user: string;
  readonly team: string;
  /** The request and decision a vote link confirms. */
  readonly requestId?: string;
  readonly decision?: 'approve' | 'deny';
  readonly createdAt: string;
  readonly expiresAt: string;
  /** Fresh randomness of the page last shown; the WebAuthn challenge commits to it. */
  readonly nonce?: string;
  /** Set by the one write that used the link. */
  readonly usedAt?: string;
}

/**
 * Longest credential id accepted, in base64url characters (191 bytes). WebAuthn allows up to 1023
 * bytes; passkeys use 16 to 64. The bound keeps a request item's votes small (`item-size.test.ts`).
 */
export const MAX_CREDENTIAL_ID_LENGTH = 255;

/** One registered passkey of an approver. */
export interface PasskeyCredential {
  /** Credential id, base64url. */
  readonly id: string;
  /** COSE public key, base64url. */
  readonly publicKey: string;
  /** Signature counter last seen (0 for authenticators that keep none). */
  readonly counter: number;
  /** Transports the authenticator reported (`internal`, `usb`, `hybrid`, …), a hint for the browser. */
  readonly transports: readonly string[];
  readonly createdAt: string;
  readonly lastUsedAt?: string;
}

/** What a link's secret may look like (43 base64url characters); anything else is not looked up. */
export const LINK_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new link secret (256 random bits) and the id it is stored under. */
export function newLinkSecret(): { secret: string; id: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, id: linkIdOf(secret) };
}

/** The stored id of a link secret. */
export function linkIdOf(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/** Fresh randomness for a page's challenge. */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** Why a link cannot be used now, or undefined when it can. */
export function linkProblem(link: PasskeyLink | undefined, now: Date): string | undefined {
  if (!link) return 'This link is not valid.';
  if (link.usedAt) return 'This link was already used; click the button in Slack again for a new one.';
  if (now.getTime() >= Date.parse(link.expiresAt)) {
    return 'This link has expired; click the button in Slack again for a new one.';
  }
  return undefined;
}
