/** base64url without padding, the encoding of every binary field of WebAuthn's JSON. */
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * The bytes of a base64url field of a WebAuthn response. Strict where `Buffer.from` is lenient (it
 * skips characters outside the alphabet): anything but base64url, optionally `=`-padded, throws.
 * @throws Error naming the field, never echoing its value
 */
export function base64urlBytes(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || !BASE64URL.test(value.replace(/={0,2}$/, ''))) {
    throw new Error(`${field} is not base64url`);
  }
  return Buffer.from(value, 'base64url');
}

/** `bytes` in base64url without padding, as WebAuthn's JSON and JWKs carry binary values. */
export function base64urlText(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/**
 * A copy of `bytes` in an ArrayBuffer of its own. `@levischuck/tiny-cbor` reads a Uint8Array through
 * a DataView of its whole `.buffer`, ignoring its offset, and Node's small Buffers share one pool:
 * every CBOR decode gets such a copy.
 */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
