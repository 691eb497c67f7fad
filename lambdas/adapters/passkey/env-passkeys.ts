import { ENV, requireEnv } from '../env';
import { WebAuthnCeremony } from './webauthn-ceremony';
import { relyingPartyOf } from './webauthn-options';

/** The WebAuthn relying party of the function's `STEPUP_PUBLIC_URL`: options and verification. */
export function envCeremony(): WebAuthnCeremony {
  return new WebAuthnCeremony(relyingPartyOf(requireEnv(ENV.publicUrl)));
}
