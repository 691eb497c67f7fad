import {
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { PasskeyCredential } from '../../domain/passkey/passkey-link';
import type { CeremonyResponse, PasskeyCeremony, VerifiedAssertion } from '../../ports/passkey-ceremony';
import { logger } from '../logger';
import { WebAuthnOptions } from './webauthn-options';

const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const transportsOf = (credential: PasskeyCredential) => [...credential.transports];

/**
 * {@link PasskeyCeremony}: the options of {@link WebAuthnOptions}, verified with `@simplewebauthn/server`;
 * user verification is required in every verification, attestation is not asked for (`none`: any authenticator the
 * approver owns will do; the passkey is tied to the approver by the Slack link that registered it).
 */
export class SimpleWebAuthnCeremony extends WebAuthnOptions implements PasskeyCeremony {
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
