import { CIBA_GRANT_TYPE } from '../../contract';
import { body, constant, text } from './schema';

/** A request id as `/v1/token` takes it (`auth_req_id`); also the `{id}` of `/v1/requests/{id}`. */
export const authReqId = text({
  max: 64,
  pattern: /^[A-Za-z0-9._-]+$/,
  hint: 'an auth_req_id',
  description: 'The auth_req_id POST /v1/requests answered.',
  examples: ['3q2-7wAbCdEfGhIjKlMnOpQr'],
});

/** The body of `POST /v1/token` (JSON or form fields). */
export const tokenRequestBody = body(
  {
    grant_type: constant(
      CIBA_GRANT_TYPE,
      { code: 'unsupported_grant_type', message: `grant_type must be ${CIBA_GRANT_TYPE}` },
      { description: 'The CIBA grant type; anything else, or none, is unsupported_grant_type.' },
    ),
    auth_req_id: authReqId,
  },
  {
    name: 'TokenRequest',
    description: 'The CIBA poll (OpenID CIBA §10.1): the token once approved, exactly once.',
    examples: [{ grant_type: CIBA_GRANT_TYPE, auth_req_id: '3q2-7wAbCdEfGhIjKlMnOpQr' }],
  },
);

/**
 * Validates a token-endpoint body (JSON or form fields).
 * @returns the auth_req_id to redeem
 */
export function parseTokenRequest(raw: unknown): string {
  return tokenRequestBody.parse(raw).auth_req_id;
}
