import { ENV, requireEnv } from '../env';
import { relyingPartyOf, SimpleWebAuthnCeremony } from './simple-webauthn-ceremony';

/** The approval page's URL for a link secret, on a public base URL (with or without a trailing slash). */
export function approvalPageUrl(publicUrl: string, secret: string): string {
  return new URL(`approval/${secret}`, publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`).toString();
}

/** The WebAuthn relying party of the function's `STEPUP_PUBLIC_URL`. */
export function envCeremony(): SimpleWebAuthnCeremony {
  return new SimpleWebAuthnCeremony(relyingPartyOf(requireEnv(ENV.publicUrl)));
}
