import { createECDH, randomBytes, type KeyObject } from 'node:crypto';

// Node signs only messages (it hashes them first); KMS's MessageType DIGEST signs a digest as is.
// ECDSA over a given digest: r = (kG).x mod n, s = k⁻¹(e + r·d) mod n, with kG from OpenSSL's ECDH.

/** Order of the P-256 group. */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const toBigInt = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

/** DER `INTEGER` of a non-negative big integer. */
function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

/**
 * Signs a 32-byte SHA-256 digest with a P-256 private key, without hashing it again, and returns
 * the DER `ECDSA-Sig-Value` (what KMS returns for `ECDSA_SHA_256`).
 */
export function signDigestP256(privateKey: KeyObject, digest: Buffer): Buffer {
  const d = toBigInt(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
  const e = toBigInt(digest);
  const ecdh = createECDH('prime256v1');
  for (;;) {
    const k = toBigInt(randomBytes(32)) % N;
    if (k === 0n) continue;
    ecdh.setPrivateKey(Buffer.from(k.toString(16).padStart(64, '0'), 'hex'));
    const r = toBigInt(ecdh.getPublicKey().subarray(1, 33)) % N;
    if (r === 0n) continue;
    const s = (modPow(k, N - 2n, N) * ((e + r * d) % N)) % N;
    if (s === 0n) continue;
    const body = Buffer.concat([derInteger(r), derInteger(s)]);
    return Buffer.concat([Buffer.from([0x30, body.length]), body]);
  }
}
