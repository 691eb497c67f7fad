import {
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { decodeCBOR, encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebAuthnCeremony } from '../../lambdas/adapters/passkey/webauthn-ceremony';
import { relyingPartyOf } from '../../lambdas/adapters/passkey/webauthn-options';
import type { PasskeyCredential } from '../../lambdas/domain/passkey/passkey-link';
import type { CeremonyResponse } from '../../lambdas/ports/passkey-ceremony';
import { FLAGS, SoftwareAuthenticator, type SoftwareKeyAlgorithm } from '../helpers/software-authenticator';

/*
 * stepup's own WebAuthn verifiers (lambdas/adapters/passkey/verify-*.ts) cross-checked against
 * `@simplewebauthn/server` as an independent verifier, on real software-authenticator answers of
 * every allowed algorithm: both accept the same answers, both refuse the same tampered ones, and a
 * credential `@simplewebauthn/server` registered (the ones already stored) verifies with ours.
 */

const rp = relyingPartyOf('https://approve.example.com');
const ceremony = new WebAuthnCeremony(rp);
const AT = '2026-12-03T09:00:00.000Z';
const ALGORITHMS: readonly SoftwareKeyAlgorithm[] = ['ES256', 'EdDSA', 'RS256'];
const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

type Json = Record<string, unknown>;

/** @simplewebauthn/server's registration verdict: the stored credential, or undefined. */
async function referenceRegistration(response: Json, challenge: Uint8Array) {
  try {
    const result = await verifyRegistrationResponse({
      response: response as unknown as RegistrationResponseJSON,
      expectedChallenge: b64u(challenge),
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
      supportedAlgorithmIDs: [-8, -7, -257],
    });
    if (!result.verified) return undefined;
    const { credential } = result.registrationInfo;
    return { id: credential.id, publicKey: b64u(credential.publicKey), counter: credential.counter };
  } catch {
    return undefined;
  }
}

/** @simplewebauthn/server's assertion verdict: the new counter, or undefined. */
async function referenceAssertion(response: Json, challenge: Uint8Array, credential: PasskeyCredential) {
  try {
    const result = await verifyAuthenticationResponse({
      response: response as unknown as AuthenticationResponseJSON,
      expectedChallenge: b64u(challenge),
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: credential.id,
        publicKey: new Uint8Array(Buffer.from(credential.publicKey, 'base64url')),
        counter: credential.counter,
      },
      requireUserVerification: true,
    });
    return result.verified ? result.authenticationInfo.newCounter : undefined;
  } catch {
    return undefined;
  }
}

const registrationOptions = (challenge: Uint8Array) => ({ challenge: b64u(challenge), rp: { id: rp.id } });
const assertionOptions = (challenge: Uint8Array) => ({ challenge: b64u(challenge), rpId: rp.id });

/** A passkey of `alg`, registered through the reference verifier as the stored ones were. */
async function enrolled(alg: SoftwareKeyAlgorithm) {
  const authenticator = new SoftwareAuthenticator(rp.origin, alg);
  const challenge = randomBytes(32);
  const stored = await referenceRegistration(
    authenticator.register(registrationOptions(challenge)),
    challenge,
  );
  if (!stored) throw new Error('the reference refused a genuine registration');
  const credential: PasskeyCredential = { ...stored, transports: ['internal'], createdAt: AT };
  return { authenticator, credential };
}

/** Both verdicts on one assertion: the new counter, or undefined when refused. */
async function bothOnAssertion(response: Json, challenge: Uint8Array, credential: PasskeyCredential) {
  const ours = await ceremony.verifyAuthentication({
    response: response as CeremonyResponse,
    challenge,
    credential,
  });
  return { ours: ours?.newCounter, reference: await referenceAssertion(response, challenge, credential) };
}

/** A copy of an assertion with one member of its `response` replaced. */
function withMember(response: Json, member: string, value: unknown): Json {
  return { ...response, response: { ...(response.response as Json), [member]: value } };
}

/** A base64url value with its last byte flipped. */
function flipped(value: unknown): string {
  const bytes = Buffer.from(String(value), 'base64url');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
  return b64u(bytes);
}

describe.each(ALGORITHMS)(
  'WebAuthn verification with %s, cross-checked against @simplewebauthn/server',
  (alg) => {
    it('registers what the reference registers, to the byte', async () => {
      const authenticator = new SoftwareAuthenticator(rp.origin, alg);
      const challenge = randomBytes(32);
      const response = authenticator.register(registrationOptions(challenge));
      const ours = await ceremony.verifyRegistration({ response, challenge, at: AT });
      const reference = await referenceRegistration(response, challenge);
      expect(reference).toBeDefined();
      expect(ours).toEqual({ ...reference, transports: ['internal'], createdAt: AT });
    });

    it('accepts a genuine assertion by a credential the reference registered, with the same counter', async () => {
      const { authenticator, credential } = await enrolled(alg);
      const challenge = randomBytes(32);
      const verdicts = await bothOnAssertion(
        authenticator.assert(assertionOptions(challenge)),
        challenge,
        credential,
      );
      expect(verdicts).toEqual({ ours: 1, reference: 1 });
    });

    const refusedAssertions: Record<
      string,
      (
        a: SoftwareAuthenticator,
        challenge: Uint8Array,
        credential: PasskeyCredential,
      ) => Promise<{
        response: Json;
        challenge?: Uint8Array;
        credential?: PasskeyCredential;
      }>
    > = {
      'another challenge': async (a, c) => ({
        response: a.assert(assertionOptions(randomBytes(32))),
        challenge: c,
      }),
      'another origin': async (a, c) => ({
        response: a.assert(assertionOptions(c), { origin: 'https://evil.example' }),
      }),
      'another RP ID': async (a, c) => ({
        response: a.assert(assertionOptions(c), { rpId: 'evil.example' }),
      }),
      'a registration type': async (a, c) => ({
        response: a.assert(assertionOptions(c), { type: 'webauthn.create' }),
      }),
      'no user presence': async (a, c) => ({ response: a.assert(assertionOptions(c), { flags: FLAGS.UV }) }),
      'no user verification': async (a, c) => ({
        response: a.assert(assertionOptions(c), { flags: FLAGS.UP }),
      }),
      'a counter that did not go up': async (a, c, credential) => ({
        response: a.assert(assertionOptions(c)),
        credential: { ...credential, counter: 5 },
      }),
      'a tampered signature': async (a, c) => {
        const response = a.assert(assertionOptions(c));
        return { response: withMember(response, 'signature', flipped(response.response.signature)) };
      },
      'tampered authenticator data': async (a, c) => {
        const response = a.assert(assertionOptions(c));
        // The counter's last byte: still well-formed, no longer what was signed.
        return {
          response: withMember(response, 'authenticatorData', flipped(response.response.authenticatorData)),
        };
      },
      "another credential's key": async (a, c, credential) => {
        const other = await enrolled(alg);
        return {
          response: a.assert(assertionOptions(c)),
          credential: { ...other.credential, id: credential.id },
        };
      },
      'malformed base64url': async (a, c) => ({
        response: withMember(a.assert(assertionOptions(c)), 'authenticatorData', '!!not base64url!!'),
      }),
      'malformed client data': async (a, c) => ({
        response: withMember(a.assert(assertionOptions(c)), 'clientDataJSON', b64u(Buffer.from('{"type":'))),
      }),
      'a stored key that is not CBOR': async (a, c, credential) => ({
        response: a.assert(assertionOptions(c)),
        credential: { ...credential, publicKey: b64u(Buffer.from([0xbf, 0x01])) },
      }),
      'a truncated signature': async (a, c) => ({
        response: withMember(a.assert(assertionOptions(c)), 'signature', b64u(Buffer.from([0x30, 0x02]))),
      }),
    };

    it.each(Object.keys(refusedAssertions))('both refuse an assertion with %s', async (name) => {
      const { authenticator, credential } = await enrolled(alg);
      const challenge = randomBytes(32);
      const make = refusedAssertions[name];
      if (!make) throw new Error(name);
      const bad = await make(authenticator, challenge, credential);
      const verdicts = await bothOnAssertion(
        bad.response,
        bad.challenge ?? challenge,
        bad.credential ?? credential,
      );
      expect(verdicts).toEqual({ ours: undefined, reference: undefined });
    });

    const refusedRegistrations: Record<string, (a: SoftwareAuthenticator, challenge: Uint8Array) => Json> = {
      'another challenge': (a) => a.register(registrationOptions(randomBytes(32))),
      'another origin': (a, c) => a.register(registrationOptions(c), { origin: 'https://evil.example' }),
      'another RP ID': (a, c) => a.register(registrationOptions(c), { rpId: 'evil.example' }),
      'an assertion type': (a, c) => a.register(registrationOptions(c), { type: 'webauthn.get' }),
      'no user presence': (a, c) => a.register(registrationOptions(c), { flags: FLAGS.UV }),
      'no user verification': (a, c) => a.register(registrationOptions(c), { flags: FLAGS.UP }),
      'an attestation object that is not CBOR': (a, c) =>
        withMember(a.register(registrationOptions(c)), 'attestationObject', b64u(Buffer.from([0xa3, 0x63]))),
      'malformed base64url': (a, c) =>
        withMember(a.register(registrationOptions(c)), 'attestationObject', '%%%'),
    };

    it.each(Object.keys(refusedRegistrations))('both refuse a registration with %s', async (name) => {
      const authenticator = new SoftwareAuthenticator(rp.origin, alg);
      const challenge = randomBytes(32);
      const make = refusedRegistrations[name];
      if (!make) throw new Error(name);
      const response = make(authenticator, challenge);
      const ours = await ceremony.verifyRegistration({ response, challenge, at: AT });
      expect({ ours, reference: await referenceRegistration(response, challenge) }).toEqual({
        ours: undefined,
        reference: undefined,
      });
    });
  },
);

describe('WebAuthn verification beyond the reference', () => {
  it('refuses an assertion whose id is not the credential asked about (the reference leaves that to its caller)', async () => {
    const { authenticator, credential } = await enrolled('ES256');
    const challenge = randomBytes(32);
    const response = authenticator.assert(assertionOptions(challenge));
    const verified = await ceremony.verifyAuthentication({
      response,
      challenge,
      credential: { ...credential, id: b64u(randomBytes(16)) },
    });
    expect(verified).toBeUndefined();
  });

  it('accepts a counter of 0 from an authenticator that keeps none, and only while the stored one is 0', async () => {
    const { authenticator, credential } = await enrolled('ES256');
    const challenge = randomBytes(32);
    // A fresh authenticator's first assertion counts 1; compare with a stored counter of 1: refused.
    const response = authenticator.assert(assertionOptions(challenge));
    expect(await bothOnAssertion(response, challenge, { ...credential, counter: 1 })).toEqual({
      ours: undefined,
      reference: undefined,
    });
  });

  /** A registration whose attestation object has `fmt` and `attStmt` replaced. */
  function withStatement(response: Json, fmt: string, statement: Map<string | number, CBORType>): Json {
    const member = response.response as Json;
    const object = decodeCBOR(new Uint8Array(Buffer.from(String(member.attestationObject), 'base64url')));
    if (!(object instanceof Map)) throw new Error('attestation object is not a map');
    object.set('fmt', fmt);
    object.set('attStmt', statement);
    return withMember(response, 'attestationObject', b64u(encodeCBOR(object)));
  }

  it('refuses a none attestation that carries a statement, as the reference does', async () => {
    const authenticator = new SoftwareAuthenticator(rp.origin);
    const challenge = randomBytes(32);
    const response = withStatement(
      authenticator.register(registrationOptions(challenge)),
      'none',
      new Map([['sig', new Uint8Array(8)]]),
    );
    expect(await ceremony.verifyRegistration({ response, challenge, at: AT })).toBeUndefined();
    expect(await referenceRegistration(response, challenge)).toBeUndefined();
  });

  it('registers a passkey whatever its attestation statement says, as attestation type None (not evaluated, by design)', async () => {
    const authenticator = new SoftwareAuthenticator(rp.origin);
    const challenge = randomBytes(32);
    const response = withStatement(
      authenticator.register(registrationOptions(challenge)),
      'packed',
      new Map<string | number, CBORType>([
        ['alg', -7],
        ['sig', new Uint8Array(70)],
      ]),
    );
    const credential = await ceremony.verifyRegistration({ response, challenge, at: AT });
    expect(credential?.id).toBe(authenticator.id);
    // The reference evaluates the statement and refuses the forged signature; stepup asks for none and
    // ties the passkey to its approver through the Slack link, so the statement proves nothing it uses.
    expect(await referenceRegistration(response, challenge)).toBeUndefined();
  });
});
