import { createHash } from 'node:crypto';
import type { PasskeyCredential } from '../../domain/passkey/passkey-link';
import type { CeremonyResponse, VerifiedAssertion } from '../../ports/passkey-ceremony';
import { checkAuthenticatorData, parseAuthenticatorData } from './authenticator-data';
import { checkCredentialEnvelope, responseMember } from './credential-envelope';
import { base64urlBytes } from './base64url';
import { checkClientData } from './client-data';
import { storedPublicKey } from './cose-public-key';
import type { RelyingParty } from './webauthn-options';

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

/**
 * Verifies an assertion (WebAuthn §7.2) by `credential` for `challenge`: the credential is the one
 * asked about, the client data is a `webauthn.get` for our challenge and origin, the authenticator
 * data is for our RP ID with the user present and verified, the signature counter went up (unless
 * the authenticator keeps none: both 0), and the credential's stored key signed authenticator data ‖
 * SHA-256(clientDataJSON).
 * @throws Error saying which check failed (logged; never the response itself)
 */
export function verifyAssertion(input: {
  response: CeremonyResponse;
  challenge: string;
  credential: PasskeyCredential;
  rp: RelyingParty;
}): VerifiedAssertion {
  const id = checkCredentialEnvelope(input.response);
  if (id !== input.credential.id) throw new Error('assertion is by another credential');
  const member = responseMember(input.response);
  const clientData = checkClientData(member.clientDataJSON, {
    type: 'webauthn.get',
    challenge: input.challenge,
    rp: input.rp,
  });
  const authData = base64urlBytes(member.authenticatorData, 'authenticatorData');
  const signature = base64urlBytes(member.signature, 'signature');
  const parsed = parseAuthenticatorData(authData);
  checkAuthenticatorData(parsed, input.rp.id);
  const stored = input.credential.counter;
  if ((parsed.signCount > 0 || stored > 0) && parsed.signCount <= stored) {
    // §7.2 step 21: a counter that did not go up may mean a cloned authenticator.
    throw new Error('signature counter did not increase');
  }
  const key = storedPublicKey(base64urlBytes(input.credential.publicKey, 'stored public key'));
  if (!key.verify(Buffer.concat([authData, sha256(clientData)]), signature)) {
    throw new Error('signature does not verify');
  }
  return { newCounter: parsed.signCount, userVerified: parsed.uv };
}
