import { decodePartialCBOR, encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import { createHash } from 'node:crypto';
import { ownBytes } from './base64url';

/** rpIdHash (32) + flags (1) + signCount (4): the part every authenticator data has (§6.1). */
const FIXED_BYTES = 37;
const AAGUID_BYTES = 16;
const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;
const FLAG_ED = 0x80;

/** What the relying party reads from authenticator data (WebAuthn §6.1). */
export interface AuthenticatorData {
  readonly rpIdHash: Buffer;
  /** User present. */
  readonly up: boolean;
  /** User verified. */
  readonly uv: boolean;
  readonly signCount: number;
  /** Attested credential data (registration only): the credential id and its COSE public key. */
  readonly attested?: {
    readonly credentialId: Buffer;
    /** The COSE_Key, decoded, and CBOR-encoded again as it is stored. */
    readonly publicKey: CBORType;
    readonly publicKeyBytes: Uint8Array;
  };
}

/**
 * Parses authenticator data: the fixed header, the attested credential data when the AT flag says so,
 * the extensions when ED says so, and nothing else (leftover bytes are refused, as is anything
 * truncated or not CBOR where CBOR belongs).
 * @throws Error when the bytes are not well-formed authenticator data
 */
export function parseAuthenticatorData(bytes: Buffer): AuthenticatorData {
  if (bytes.length < FIXED_BYTES) throw new Error('authenticator data is too short');
  const flags = bytes[32] ?? 0;
  const cbor = ownBytes(bytes);
  let offset = FIXED_BYTES;
  let attested: AuthenticatorData['attested'];
  if (flags & FLAG_AT) {
    offset += AAGUID_BYTES;
    if (bytes.length < offset + 2) throw new Error('attested credential data is truncated');
    const idLength = bytes.readUInt16BE(offset);
    offset += 2;
    if (bytes.length < offset + idLength) throw new Error('credential id is truncated');
    const credentialId = bytes.subarray(offset, offset + idLength);
    offset += idLength;
    const [publicKey, read] = decodePartialCBOR(cbor, offset);
    offset += read;
    attested = { credentialId, publicKey, publicKeyBytes: encodeCBOR(publicKey) };
  }
  if (flags & FLAG_ED) {
    const [, read] = decodePartialCBOR(cbor, offset);
    offset += read;
  }
  if (offset !== bytes.length) throw new Error('authenticator data has leftover bytes');
  return {
    rpIdHash: bytes.subarray(0, 32),
    up: (flags & FLAG_UP) !== 0,
    uv: (flags & FLAG_UV) !== 0,
    signCount: bytes.readUInt32BE(33),
    ...(attested ? { attested } : {}),
  };
}

/**
 * The relying party's checks of authenticator data, the same in both ceremonies (§7.1 steps 13–15,
 * §7.2 steps 15–17): made for our RP ID, with the user present and verified (stepup always requires
 * user verification).
 * @throws Error saying which check failed
 */
export function checkAuthenticatorData(data: AuthenticatorData, rpId: string): void {
  if (!data.rpIdHash.equals(createHash('sha256').update(rpId).digest())) {
    throw new Error('authenticator data is for another RP ID');
  }
  if (!data.up) throw new Error('user presence flag is not set');
  if (!data.uv) throw new Error('user verification flag is not set');
}
