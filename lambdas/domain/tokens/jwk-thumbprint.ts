import { createHash, createPublicKey } from 'node:crypto';
import { StepUpError } from '../errors';

// RFC 7638 §3.2: the required members of each key type, in lexicographic order.
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
};
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** The curves of the DPoP signature algorithms resource servers accept (ES256/384/512, EdDSA). */
export const SIGNING_CURVES = {
  EC: ['P-256', 'P-384', 'P-521'],
  OKP: ['Ed25519', 'Ed448'],
} as const satisfies Readonly<Record<string, readonly string[]>>;
/** Shortest RSA modulus accepted, in bits (RFC 7518 §3.3 requires 2048 for RS/PS algorithms). */
export const MIN_RSA_BITS = 2048;

/**
 * True when the members make a public key a DPoP proof could verify with: an EC point ON its
 * curve (a point off it is refused, whatever its encoding), a signing curve, an RSA modulus of at
 * least {@link MIN_RSA_BITS} bits. Node's key import does the arithmetic.
 */
function isUsableSigningKey(canonical: Readonly<Record<string, string>>): boolean {
  const curves: readonly string[] | undefined =
    canonical.kty === 'EC' || canonical.kty === 'OKP' ? SIGNING_CURVES[canonical.kty] : undefined;
  if (curves && !curves.includes(canonical.crv ?? '')) return false;
  try {
    const key = createPublicKey({ key: canonical, format: 'jwk' });
    return canonical.kty !== 'RSA' || (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS;
  } catch {
    // Node's messages vary by key type (one even fails on serialising a BigInt); any failure means
    // the members are not a key.
    return false;
  }
}

/**
 * The RFC 7638 SHA-256 thumbprint (base64url) of a PUBLIC JWK, as DPoP's `cnf.jkt` carries it.
 * @throws StepUpError `invalid_request` for anything but a valid EC, RSA or OKP public signing key
 */
export function publicJwkThumbprint(raw: unknown, field = 'dpop_jwk'): string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new StepUpError('invalid_request', `${field} must be a JWK object`);
  }
  const jwk = raw as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) {
    throw new StepUpError(
      'invalid_request',
      `${field} must be a public key: it contains private key material`,
    );
  }
  const members = typeof jwk.kty === 'string' ? REQUIRED[jwk.kty] : undefined;
  if (!members) throw new StepUpError('invalid_request', `${field}.kty must be EC, RSA or OKP`);
  const canonical: Record<string, string> = {};
  for (const member of members) {
    const value = jwk[member];
    if (typeof value !== 'string' || value.length === 0 || value.length > 1024) {
      throw new StepUpError('invalid_request', `${field}.${member} is required`);
    }
    canonical[member] = value;
  }
  if (!isUsableSigningKey(canonical)) {
    throw new StepUpError(
      'invalid_request',
      `${field} is not a valid public signing key (EC ${SIGNING_CURVES.EC.join('/')} point on its curve, ` +
        `RSA of at least ${MIN_RSA_BITS} bits, or OKP ${SIGNING_CURVES.OKP.join('/')})`,
    );
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}
