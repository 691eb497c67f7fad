import type { PasskeyCredential } from '../../domain/passkey/passkey-link';
import type { CeremonyOptions, PasskeyCeremony } from '../../ports/passkey-ceremony';
import { PREFERRED_COSE_ALGORITHMS } from './cose-algorithms';
import { base64urlText } from './base64url';

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
const descriptor = (c: PasskeyCredential) => ({
  id: c.id,
  type: 'public-key',
  transports: [...c.transports],
});

/**
 * The options of the two ceremonies, as the WebAuthn JSON encoding (`PublicKeyCredentialCreationOptionsJSON`,
 * `PublicKeyCredentialRequestOptionsJSON`) that `@simplewebauthn/browser` takes: plain data, built here
 * so the page's function does not load the verification library (its bundle stays small). User
 * verification is required in both; no attestation is asked for.
 */
export class WebAuthnOptions implements Pick<
  PasskeyCeremony,
  'registrationOptions' | 'authenticationOptions'
> {
  constructor(protected readonly rp: RelyingParty) {}

  registrationOptions(input: {
    user: string;
    challenge: Uint8Array;
    exclude: readonly PasskeyCredential[];
  }): Promise<CeremonyOptions> {
    return Promise.resolve({
      rp: { name: 'stepup', id: this.rp.id },
      user: {
        id: base64urlText(new TextEncoder().encode(input.user)),
        name: input.user,
        displayName: input.user,
      },
      challenge: base64urlText(input.challenge),
      pubKeyCredParams: PREFERRED_COSE_ALGORITHMS.map((alg) => ({ alg, type: 'public-key' })),
      timeout: TIMEOUT_MS,
      excludeCredentials: input.exclude.map(descriptor),
      authenticatorSelection: {
        residentKey: 'preferred',
        requireResidentKey: false,
        userVerification: 'required',
      },
      attestation: 'none',
    });
  }

  authenticationOptions(input: {
    challenge: Uint8Array;
    allow: readonly PasskeyCredential[];
  }): Promise<CeremonyOptions> {
    return Promise.resolve({
      rpId: this.rp.id,
      challenge: base64urlText(input.challenge),
      timeout: TIMEOUT_MS,
      userVerification: 'required',
      allowCredentials: input.allow.map(descriptor),
    });
  }
}
