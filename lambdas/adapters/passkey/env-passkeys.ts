import { ENV, requireEnv } from '../env';
import { SimpleWebAuthnCeremony } from './simple-webauthn-ceremony';
import { relyingPartyOf } from './webauthn-options';

/** The WebAuthn relying party of the function's `STEPUP_PUBLIC_URL`: options and verification. */
export function envCeremony(): SimpleWebAuthnCeremony {
  return new SimpleWebAuthnCeremony(relyingPartyOf(requireEnv(ENV.publicUrl)));
}
