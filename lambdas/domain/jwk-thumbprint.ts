import { createHash } from 'node:crypto';
import { StepUpError } from './errors';

// RFC 7638 §3.2: the required members of each key type, in lexicographic order.
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
};
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * The RFC 7638 SHA-256 thumbprint (base64url) of a PUBLIC JWK, as DPoP's `cnf.jkt` carries it.
 * @throws StepUpError `invalid_request` for anything but a well-formed EC, RSA or OKP public key
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
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}
