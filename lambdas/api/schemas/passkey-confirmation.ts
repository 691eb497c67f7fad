import * as z from 'zod/mini';
import type { CeremonyResponse } from '../../ports/passkey-ceremony';
import { StepUpError } from '../../domain/errors';
import { MAX_CREDENTIAL_ID_LENGTH } from '../../domain/passkey/passkey-link';
import { body, custom, text } from './schema';

/** A WebAuthn response as `@simplewebauthn/browser` encodes it: an object with a string `id`. */
const ceremonyResponse = custom<CeremonyResponse>(
  (value, name) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new StepUpError('invalid_request', `${name} must be the WebAuthn response object`);
    }
    const { id } = value as Record<string, unknown>;
    if (typeof id !== 'string' || id.length > MAX_CREDENTIAL_ID_LENGTH || !/^[A-Za-z0-9_-]+$/.test(id)) {
      throw new StepUpError(
        'invalid_request',
        `${name}.id must be a base64url credential id of at most ${MAX_CREDENTIAL_ID_LENGTH} characters`,
      );
    }
    return value as CeremonyResponse;
  },
  {
    type: 'object',
    required: ['id', 'rawId', 'type', 'response'],
    description:
      'The PublicKeyCredential the browser produced (WebAuthn JSON encoding, as @simplewebauthn/browser ' +
      'returns it): an assertion on a vote link, an attestation on an enrolment link.',
  },
);

/** The body the approval page posts: the passkey's answer, and for a denial the reason. */
export const passkeyConfirmationBody = body(
  {
    response: ceremonyResponse,
    proof: z.optional(ceremonyResponse),
    remove: z.optional(
      text({
        max: MAX_CREDENTIAL_ID_LENGTH,
        pattern: /^[A-Za-z0-9_-]+$/,
        description:
          'Enrolment links only: the credential id of one of the approver’s passkeys to remove; ' +
          '`response` is then the assertion of one of their passkeys confirming it.',
      }),
    ),
    reason: z.optional(
      text({
        max: 500,
        multiline: true,
        description: 'Why the approver denies (deny links only; ignored on approve and enrolment links).',
      }),
    ),
  },
  {
    name: 'PasskeyConfirmation',
    description: 'What the approval page posts after the authenticator answered.',
    examples: [{ response: { id: 'AAEC', rawId: 'AAEC', type: 'public-key', response: {} } }],
  },
);

/** The body of `POST /v1/passkeys/revoke`: the Slack user whose passkeys an operator removes. */
export const passkeyRevocationBody = body(
  {
    user: text({
      max: 64,
      pattern: /^[A-Z0-9]{2,64}$/,
      description: 'The approver’s Slack user id.',
      examples: ['U0123ABCD'],
    }),
  },
  {
    name: 'PasskeyRevocation',
    description: 'Removes every passkey of one approver; their next passkey vote starts with enrolment.',
    examples: [{ user: 'U0123ABCD' }],
  },
);
