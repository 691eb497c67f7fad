import { errors } from 'jose';

/** What a workload token was checked against. */
export interface ExpectedWorkloadToken {
  readonly issuer: string;
  readonly audience: string;
}

/**
 * Why a workload bearer was refused, in words a caller can act on: expired (and when), not signed by
 * the configured issuer's keys, issued by another issuer, for another audience, not valid yet, or
 * not a well-formed signed JWT. Never any part of the token, only its `exp` time and what was
 * expected (the configured issuer and audience are not secret).
 * @param error what `jwtVerify` threw
 */
export function workloadTokenRejection(error: unknown, expected: ExpectedWorkloadToken): string {
  if (error instanceof errors.JWTExpired) {
    const exp = error.payload.exp;
    const at = typeof exp === 'number' ? ` at ${new Date(exp * 1000).toISOString()}` : '';
    return `the workload token expired${at}; get a fresh one from the identity provider`;
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss')
      return `the workload token is not issued by the configured issuer (${expected.issuer})`;
    if (error.claim === 'aud')
      return `the workload token is for another audience; it must be for ${expected.audience}`;
    if (error.claim === 'nbf' || error.claim === 'iat') return 'the workload token is not valid yet';
    return 'the workload token lacks a required claim (sub, exp)';
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return `the workload token is not signed by the configured issuer (${expected.issuer})`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'the workload token is signed with an algorithm not accepted here';
  return 'the bearer is not a well-formed signed JWT';
}
