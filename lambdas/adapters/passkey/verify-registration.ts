import { decodeCBOR } from '@levischuck/tiny-cbor';
import type { PasskeyCredential } from '../../domain/passkey/passkey-link';
import type { CeremonyResponse } from '../../ports/passkey-ceremony';
import { checkAuthenticatorData, parseAuthenticatorData } from './authenticator-data';
import { base64urlBytes, base64urlText, ownBytes } from './base64url';
import { checkClientData } from './client-data';
import { coseKeyMap, cosePublicKeyOf } from './cose-public-key';
import { checkCredentialEnvelope, responseMember } from './credential-envelope';
import type { RelyingParty } from './webauthn-options';

/** WebAuthn's bound on a credential id (§5.8.3: at most 1023 bytes). */
const MAX_CREDENTIAL_ID_BYTES = 1023;

const transportsOf = (member: Readonly<Record<string, unknown>>): string[] =>
  Array.isArray(member.transports) ? member.transports.filter((t): t is string => typeof t === 'string') : [];

/**
 * Verifies a registration (WebAuthn §7.1) for `challenge`: a `webauthn.create` client data for our
 * challenge and origin; an attestation object whose authenticator data is for our RP ID, with the
 * user present and verified and a credential whose id is the response's and whose public key is one
 * of the supported algorithms (`cose-algorithms.ts`) and a valid key.
 *
 * The attestation statement is not evaluated (§7.1 steps 19–24): stepup asks for `none`, trusts no
 * attestation root, and ties a passkey to its approver through the private Slack link instead. A
 * statement could only tell which make of authenticator made the key, and a client can always send
 * `none`, so checking one would refuse nothing an attacker cannot send anyway. A `none` statement
 * must be empty (§8.7); others (browsers keep `packed` self-attestation under `none`) are accepted
 * as attestation type None.
 * @returns the credential to store: its COSE key CBOR-encoded, as authentication reads it
 * @throws Error saying which check failed (logged; never the response itself)
 */
export function verifyRegistration(input: {
  response: CeremonyResponse;
  challenge: string;
  rp: RelyingParty;
  at: string;
}): PasskeyCredential {
  const id = checkCredentialEnvelope(input.response);
  const member = responseMember(input.response);
  checkClientData(member.clientDataJSON, {
    type: 'webauthn.create',
    challenge: input.challenge,
    rp: input.rp,
  });
  const object = decodeCBOR(ownBytes(base64urlBytes(member.attestationObject, 'attestationObject')));
  if (!(object instanceof Map)) throw new Error('attestation object is not a CBOR map');
  const fmt = object.get('fmt');
  const statement = object.get('attStmt');
  const authData = object.get('authData');
  if (typeof fmt !== 'string' || !(statement instanceof Map) || !(authData instanceof Uint8Array)) {
    throw new Error('attestation object lacks fmt, attStmt or authData');
  }
  if (fmt === 'none' && statement.size > 0) throw new Error('none attestation has a statement');
  const parsed = parseAuthenticatorData(Buffer.from(authData));
  checkAuthenticatorData(parsed, input.rp.id);
  const { attested } = parsed;
  if (!attested) throw new Error('no attested credential data');
  if (attested.credentialId.length === 0 || attested.credentialId.length > MAX_CREDENTIAL_ID_BYTES) {
    throw new Error('credential id length is out of range');
  }
  if (attested.credentialId.toString('base64url') !== id)
    throw new Error('credential id is not the response id');
  cosePublicKeyOf(coseKeyMap(attested.publicKey));
  return {
    id,
    publicKey: base64urlText(attested.publicKeyBytes),
    counter: parsed.signCount,
    transports: transportsOf(member),
    createdAt: input.at,
  };
}
