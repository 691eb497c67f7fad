import * as z from 'zod/mini';
import { CIBA_GRANT_TYPE, TOKEN_WAIT_MAX_SECONDS } from '../../contract';
import { StepUpError } from '../../domain/errors';
import { body, constant, custom, text } from './schema';

/** A request id as `/v1/token` takes it (`auth_req_id`); also the `{id}` of `/v1/requests/{id}`. */
export const authReqId = text({
  max: 64,
  pattern: /^[A-Za-z0-9._-]+$/,
  hint: 'an auth_req_id',
  description: 'The auth_req_id POST /v1/requests answered.',
  examples: ['3q2-7wAbCdEfGhIjKlMnOpQr'],
});

const WAIT_RULE = `wait must be a whole number of seconds from 0 to ${TOKEN_WAIT_MAX_SECONDS}`;

/**
 * `wait`, the long-poll: an integer in JSON, decimal digits in a form. The cap keeps the answer
 * inside API Gateway's 30 s integration limit.
 */
export const waitSeconds = custom(
  (value: unknown): number => {
    const seconds = typeof value === 'string' && /^[0-9]{1,2}$/.test(value) ? Number(value) : value;
    if (
      typeof seconds !== 'number' ||
      !Number.isInteger(seconds) ||
      seconds < 0 ||
      seconds > TOKEN_WAIT_MAX_SECONDS
    ) {
      throw new StepUpError('invalid_request', WAIT_RULE);
    }
    return seconds;
  },
  {
    description:
      `Long-poll: hold the call up to this many seconds until the request is decided, then answer as a ` +
      `poll would. A call that waits is held at least the polling interval unless decided sooner, and is ` +
      `never answered slow_down. At most ${TOKEN_WAIT_MAX_SECONDS}, so the answer beats API Gateway's 30 s ` +
      `limit; 0 or absent: answer at once. An integer in JSON, decimal digits in a form.`,
    anyOf: [
      { type: 'integer', minimum: 0, maximum: TOKEN_WAIT_MAX_SECONDS },
      { type: 'string', pattern: '^[0-9]{1,2}$' },
    ],
    examples: [TOKEN_WAIT_MAX_SECONDS],
  },
);

/** The body of `POST /v1/token` (JSON or form fields). */
export const tokenRequestBody = body(
  {
    grant_type: constant(
      CIBA_GRANT_TYPE,
      { code: 'unsupported_grant_type', message: `grant_type must be ${CIBA_GRANT_TYPE}` },
      { description: 'The CIBA grant type; anything else, or none, is unsupported_grant_type.' },
    ),
    auth_req_id: authReqId,
    wait: z.optional(waitSeconds),
  },
  {
    name: 'TokenRequest',
    description: 'The CIBA poll (OpenID CIBA §10.1): the token once approved, exactly once.',
    examples: [
      { grant_type: CIBA_GRANT_TYPE, auth_req_id: '3q2-7wAbCdEfGhIjKlMnOpQr' },
      { grant_type: CIBA_GRANT_TYPE, auth_req_id: '3q2-7wAbCdEfGhIjKlMnOpQr', wait: TOKEN_WAIT_MAX_SECONDS },
    ],
  },
);

/** A valid token-endpoint body. */
export interface TokenRequest {
  readonly requestId: string;
  /** Seconds to wait for the decision (long-poll); 0: answer at once. */
  readonly waitSeconds: number;
}

/**
 * Validates a token-endpoint body (JSON or form fields).
 * @returns the auth_req_id to redeem and how long to wait for its decision
 */
export function parseTokenRequest(raw: unknown): TokenRequest {
  const { auth_req_id, wait } = tokenRequestBody.parse(raw);
  return { requestId: auth_req_id, waitSeconds: wait ?? 0 };
}
