import { decodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { derToJoseSignature } from '../aws/der-signature';
import { base64urlText, ownBytes } from './base64url';
import { COSE_ALGORITHMS } from './cose-algorithms';

/** COSE key parameters (RFC 9052 §7.1, RFC 9053 §7.1–7.2, RFC 8230 §4). */
const KTY = 1;
const ALG = 3;
const CRV = -1;
const X = -2;
const Y = -3;
const RSA_N = -1;
const RSA_E = -2;
const KTY_OKP = 1;
const KTY_EC2 = 2;
const KTY_RSA = 3;
const CRV_P256 = 1;
const CRV_ED25519 = 6;
const P256_COORDINATE_BYTES = 32;
const ED25519_KEY_BYTES = 32;

/** A credential public key, ready to check signatures made with it. */
export interface CosePublicKey {
  /** The COSE algorithm, one of {@link COSE_ALGORITHMS}. */
  readonly alg: number;
  /**
   * Whether `signature` (as WebAuthn carries it: DER for ECDSA) signs `data`. A signature that is
   * not even well-formed is simply not valid.
   */
  verify(data: Buffer, signature: Buffer): boolean;
}

function bytesOf(key: Map<string | number, CBORType>, label: number, length?: number): Uint8Array {
  const value = key.get(label);
  if (!(value instanceof Uint8Array) || (length !== undefined && value.length !== length)) {
    throw new Error(`COSE key parameter ${label} is missing or malformed`);
  }
  return value;
}

function ec2(key: Map<string | number, CBORType>): KeyObject {
  if (key.get(CRV) !== CRV_P256) throw new Error('ES256 key is not on P-256');
  const x = base64urlText(bytesOf(key, X, P256_COORDINATE_BYTES));
  const y = base64urlText(bytesOf(key, Y, P256_COORDINATE_BYTES));
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x, y }, format: 'jwk' });
}

function okp(key: Map<string | number, CBORType>): KeyObject {
  if (key.get(CRV) !== CRV_ED25519) throw new Error('EdDSA key is not Ed25519');
  const x = base64urlText(bytesOf(key, X, ED25519_KEY_BYTES));
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

function rsa(key: Map<string | number, CBORType>): KeyObject {
  const n = base64urlText(bytesOf(key, RSA_N));
  const e = base64urlText(bytesOf(key, RSA_E));
  return createPublicKey({ key: { kty: 'RSA', n, e }, format: 'jwk' });
}

/** How one COSE algorithm's keys are read and its signatures checked. */
interface AlgorithmVerifier {
  /** The key type the algorithm's keys must have. */
  readonly kty: number;
  /** The node:crypto public key of a COSE key map of this type. */
  readonly key: (key: Map<string | number, CBORType>) => KeyObject;
  /** Whether `signature` over `data` verifies with `key`; may throw on a malformed signature. */
  readonly check: (key: KeyObject, data: Buffer, signature: Buffer) => boolean;
}

/** Signature checks of the three algorithms; node:crypto verifies, nothing else is needed. */
const VERIFIERS: Record<number, AlgorithmVerifier> = {
  [COSE_ALGORITHMS.ES256]: {
    kty: KTY_EC2,
    key: ec2,
    // WebAuthn's ECDSA signatures are DER (§6.5.6); the conversion rejects anything malformed.
    check: (k, d, s) =>
      verify(
        'sha256',
        d,
        { key: k, dsaEncoding: 'ieee-p1363' },
        derToJoseSignature(s, P256_COORDINATE_BYTES),
      ),
  },
  [COSE_ALGORITHMS.EdDSA]: { kty: KTY_OKP, key: okp, check: (k, d, s) => verify(null, d, k, s) },
  [COSE_ALGORITHMS.RS256]: { kty: KTY_RSA, key: rsa, check: (k, d, s) => verify('sha256', d, k, s) },
};

/** The COSE key map of CBOR-decoded bytes. */
export function coseKeyMap(decoded: CBORType): Map<string | number, CBORType> {
  if (!(decoded instanceof Map)) throw new Error('COSE key is not a CBOR map');
  return decoded;
}

/**
 * The public key of a COSE_Key map (RFC 9052 §7) of one of {@link COSE_ALGORITHMS}, validated: the
 * key type matches the algorithm, the curve is the algorithm's, and node:crypto accepts the point.
 * @throws Error for any other algorithm or a malformed key
 */
export function cosePublicKeyOf(key: Map<string | number, CBORType>): CosePublicKey {
  const alg = key.get(ALG);
  const verifier = typeof alg === 'number' ? VERIFIERS[alg] : undefined;
  if (typeof alg !== 'number' || !verifier) throw new Error('COSE key algorithm is not supported');
  if (key.get(KTY) !== verifier.kty) throw new Error('COSE key type does not match its algorithm');
  const publicKey = verifier.key(key);
  return {
    alg,
    verify: (data, signature) => {
      try {
        return verifier.check(publicKey, data, signature);
      } catch {
        return false;
      }
    },
  };
}

/**
 * The public key of a stored credential: the CBOR-encoded COSE_Key WebAuthn registration produced.
 * @throws Error when the bytes are not exactly one supported, well-formed key
 */
export function storedPublicKey(bytes: Uint8Array): CosePublicKey {
  return cosePublicKeyOf(coseKeyMap(decodeCBOR(ownBytes(bytes))));
}
