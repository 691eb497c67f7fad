import type { PasskeyCredential } from '../../domain/passkey/passkey-link';
import type { CeremonyResponse, PasskeyCeremony, VerifiedAssertion } from '../../ports/passkey-ceremony';
import { logger } from '../logger';
import { verifyAssertion } from './verify-assertion';
import { verifyRegistration } from './verify-registration';
import { WebAuthnOptions } from './webauthn-options';
import { base64urlText } from './base64url';

/** `verify()`'s answer, or undefined when it throws: logged as `refused`, with the reason only. */
function answerOrRefused<T>(refused: string, verify: () => T): Promise<T | undefined> {
  try {
    return Promise.resolve(verify());
  } catch (error) {
    logger.warn(refused, { reason: (error as Error).message });
    return Promise.resolve(undefined);
  }
}

/**
 * {@link PasskeyCeremony}: the options of {@link WebAuthnOptions}, verified by stepup's own WebAuthn
 * relying-party checks on node:crypto (`verify-assertion.ts`, `verify-registration.ts`); user
 * verification is required in every verification, attestation is not asked for (`none`: any
 * authenticator the approver owns will do; the passkey is tied to the approver by the Slack link that
 * registered it). Not `@simplewebauthn/server`: its assertion path alone loads an ASN.1/X.509 stack
 * that cost the confirmation function ~50 ms of cold start; the tests cross-check these verifiers
 * against it.
 */
export class WebAuthnCeremony extends WebAuthnOptions implements PasskeyCeremony {
  verifyRegistration(input: {
    response: CeremonyResponse;
    challenge: Uint8Array;
    at: string;
  }): Promise<PasskeyCredential | undefined> {
    // A malformed or forged response: refused, and logged without the response itself.
    return answerOrRefused('passkey registration refused', () =>
      verifyRegistration({
        response: input.response,
        challenge: base64urlText(input.challenge),
        rp: this.rp,
        at: input.at,
      }),
    );
  }

  verifyAuthentication(input: {
    response: CeremonyResponse;
    challenge: Uint8Array;
    credential: PasskeyCredential;
  }): Promise<VerifiedAssertion | undefined> {
    // Wrong signature, challenge, origin, a counter that went backwards: refused and logged.
    return answerOrRefused('passkey assertion refused', () =>
      verifyAssertion({
        response: input.response,
        challenge: base64urlText(input.challenge),
        credential: input.credential,
        rp: this.rp,
      }),
    );
  }
}
