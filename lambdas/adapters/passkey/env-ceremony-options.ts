import { ENV, requireEnv } from '../env';
import { relyingPartyOf, WebAuthnOptions } from './webauthn-options';

/**
 * Only the ceremony options of the function's `STEPUP_PUBLIC_URL` (the approval page, which verifies
 * nothing): a module of its own, so the page's bundle does not load the verification library.
 */
export function envCeremonyOptions(): WebAuthnOptions {
  return new WebAuthnOptions(relyingPartyOf(requireEnv(ENV.publicUrl)));
}
