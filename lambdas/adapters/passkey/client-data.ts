import { base64urlBytes } from './base64url';
import type { RelyingParty } from './webauthn-options';

/** The ceremony a client data belongs to (WebAuthn §5.8.1 `type`). */
export type CeremonyType = 'webauthn.create' | 'webauthn.get';

/**
 * Checks a response's `clientDataJSON` (§7.1 steps 7–10, §7.2 steps 10–13): the ceremony type, our
 * challenge, our origin, and not from a frame of another site (`crossOrigin`, `topOrigin`: the page
 * is never framed). Token binding is not used by stepup; a `tokenBinding` member is ignored, as the
 * Level 3 specification says.
 * @returns the raw client data, whose SHA-256 the authenticator signed
 * @throws Error saying which check failed, without echoing the client's values
 */
export function checkClientData(
  encoded: unknown,
  expected: { type: CeremonyType; challenge: string; rp: RelyingParty },
): Buffer {
  const raw = base64urlBytes(encoded, 'clientDataJSON');
  const data: unknown = JSON.parse(raw.toString('utf8'));
  if (typeof data !== 'object' || data === null) throw new Error('clientDataJSON is not an object');
  const { type, challenge, origin, crossOrigin, topOrigin } = data as Record<string, unknown>;
  if (type !== expected.type) throw new Error(`client data type is not ${expected.type}`);
  if (challenge !== expected.challenge) throw new Error('client data challenge is not ours');
  if (origin !== expected.rp.origin) throw new Error('client data origin is not ours');
  if (crossOrigin === true || topOrigin !== undefined)
    throw new Error('client data is from a cross-origin frame');
  return raw;
}
