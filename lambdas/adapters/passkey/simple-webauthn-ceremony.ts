import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { PasskeyCredential } from '../../domain/passkey/passkey-link';
import type {
  CeremonyOptions,
  CeremonyResponse,
  PasskeyCeremony,
  VerifiedAssertion,
} from '../../ports/passkey-ceremony';
import { logger } from '../logger';

/** The relying party: the RP ID (a domain, never an IP address) and the page's origin. */
export interface RelyingParty {
  readonly id: string;
  readonly origin: string;
}

/**
 * The relying party of a public URL: its host name is the RP ID and its origin the only accepted
 * origin. Locally that is `localhost`: WebAuthn refuses IP addresses as RP IDs.
 */
export function relyingPartyOf(publicUrl: string): RelyingParty {
  const url = new URL(publicUrl);
  return { id: url.hostname, origin: url.origin };
}

const TIMEOUT_MS = 120_000;
const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const transportsOf = (credential: PasskeyCredential) => [...credential.transports];

/**
 * {@link PasskeyCeremony} with `@simplewebauthn/server`: user verification is required in every
 * option and every verification, attestation is not asked for (`none`: any authenticator the
 * approver owns will do; the passkey is tied to the approver by the Slack link that registered it).
 */
export class SimpleWebAuthnCeremony implements PasskeyCeremony {
  constructor(private readonly rp: RelyingParty) {}

  registrationOptions(input: {
    user: string;
    challenge: Uint8Array;
    exclude: readonly PasskeyCredential[];
  }): Promise<CeremonyOptions> {
    return generateRegistrationOptions({
      rpName: 'stepup',
      rpID: this.rp.id,
      userName: input.user,
      userID: new TextEncoder().encode(input.user),
      challenge: new Uint8Array(input.challenge),
      timeout: TIMEOUT_MS,
      attestationType: 'none',
      excludeCredentials: input.exclude.map((c) => ({ id: c.id, transports: transportsOf(c) })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
    });
  }

  async verifyRegistration(input: {
    response: CeremonyResponse;
    challenge: Uint8Array;
    at: string;
  }): Promise<PasskeyCredential | undefined> {
    try {
      const result = await verifyRegistrationResponse({
        response: input.response as unknown as RegistrationResponseJSON,
        expectedChallenge: base64url(input.challenge),
        expectedOrigin: this.rp.origin,
        expectedRPID: this.rp.id,
        requireUserVerification: true,
      });
      if (!result.verified || !result.registrationInfo.userVerified) return undefined;
      const { credential } = result.registrationInfo;
      return {
        id: credential.id,
        publicKey: base64url(credential.publicKey),
        counter: credential.counter,
        transports: credential.transports ?? [],
        createdAt: input.at,
      };
    } catch (error) {
      // A malformed or forged response: refused, and logged without the response itself.
      logger.warn('passkey registration refused', { reason: (error as Error).message });
      return undefined;
    }
  }

  authenticationOptions(input: {
    challenge: Uint8Array;
    allow: readonly PasskeyCredential[];
  }): Promise<CeremonyOptions> {
    return generateAuthenticationOptions({
      rpID: this.rp.id,
      challenge: new Uint8Array(input.challenge),
      timeout: TIMEOUT_MS,
      userVerification: 'required',
      allowCredentials: input.allow.map((c) => ({ id: c.id, transports: transportsOf(c) })),
    });
  }

  async verifyAuthentication(input: {
    response: CeremonyResponse;
    challenge: Uint8Array;
    credential: PasskeyCredential;
  }): Promise<VerifiedAssertion | undefined> {
    try {
      const result = await verifyAuthenticationResponse({
        response: input.response as unknown as AuthenticationResponseJSON,
        expectedChallenge: base64url(input.challenge),
        expectedOrigin: this.rp.origin,
        expectedRPID: this.rp.id,
        credential: {
          id: input.credential.id,
          publicKey: new Uint8Array(Buffer.from(input.credential.publicKey, 'base64url')),
          counter: input.credential.counter,
          transports: transportsOf(input.credential),
        },
        requireUserVerification: true,
      });
      if (!result.verified) return undefined;
      const { newCounter, userVerified } = result.authenticationInfo;
      return { newCounter, userVerified };
    } catch (error) {
      // Wrong signature, challenge, origin, a counter that went backwards: the library throws.
      logger.warn('passkey assertion refused', { reason: (error as Error).message });
      return undefined;
    }
  }
}
