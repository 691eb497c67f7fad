import type { CeremonyResponse } from '../../ports/passkey-ceremony';

/** The `response` member of a PublicKeyCredential, or an empty object to fail its checks. */
export function responseMember(response: CeremonyResponse): Readonly<Record<string, unknown>> {
  const member = response.response;
  return typeof member === 'object' && member !== null ? (member as Record<string, unknown>) : {};
}

/**
 * The credential's own checks (§5.1): an id that is its raw id, of type `public-key`.
 * @returns the credential id
 * @throws Error when either is wrong
 */
export function checkCredentialEnvelope(response: CeremonyResponse): string {
  const { id, rawId, type } = response;
  if (typeof id !== 'string' || id === '' || id !== rawId)
    throw new Error('credential id is missing or not its raw id');
  if (type !== 'public-key') throw new Error('credential type is not public-key');
  return id;
}
