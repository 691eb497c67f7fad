import * as z from 'zod/mini';
import { DEFERRAL_CODE_TOKEN_TYPE } from '../../contract';
import { tokenField } from './introspection-request';
import type { RevokeInput } from '../../domain/tokens/revoke';
import { WORKLOAD_SUB_RULE } from '../../domain/agents/workload-identity';
import { body, text } from './schema';

/** The body of `POST /v1/revoke` (JSON or form fields): one token, or every grant of an agent. */
export const revokeRequestBody = body(
  {
    token: z.optional(
      tokenField('RFC 7009: the token to revoke; the caller must be its agent or its audience.'),
    ),
    token_type_hint: z.optional(
      text({
        max: 64,
        pattern: /^[A-Za-z0-9_.:-]+$/,
        hint: 'a token type name',
        description:
          `RFC 7009 §2.1 hint. ${DEFERRAL_CODE_TOKEN_TYPE}: token is a DTR deferral code, and the agent ` +
          'cancels its pending request (as POST /v1/requests/{id}/cancel). Any other hint is ignored.',
        examples: ['access_token', DEFERRAL_CODE_TOKEN_TYPE],
      }),
    ),
    agent: z.optional(
      text({
        ...WORKLOAD_SUB_RULE,
        description:
          'The kill switch (operators only): cancel every pending request of this agent (workload sub) ' +
          'and revoke every grant of it not yet used.',
        examples: ['deploy-bot'],
      }),
    ),
  },
  {
    name: 'RevokeRequest',
    description: 'Either token (RFC 7009, one token) or agent (the operator kill switch), not both.',
    examples: [
      { token: 'eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiIxIn0.c2ln' },
      { token: '3q2-7wAbCdEfGhIjKlMnOpQr', token_type_hint: DEFERRAL_CODE_TOKEN_TYPE },
      { agent: 'deploy-bot' },
    ],
    exactlyOne: {
      fields: ['token', 'agent'],
      message: 'give either token (to revoke one token) or agent (kill switch)',
    },
  },
);

/** A valid revocation body: one of {@link RevokeInput}, or a DTR deferral code to cancel. */
export type RevokeRequest = RevokeInput | { readonly deferralCode: string };

/**
 * Validates a revocation body (JSON or form): `token` (RFC 7009; with `token_type_hint`
 * `deferral_code`, a DTR deferral code) or `agent` (operators only), exactly one of them.
 */
export function parseRevokeRequest(raw: unknown): RevokeRequest {
  const body = revokeRequestBody.parse(raw);
  if (body.token !== undefined) {
    return body.token_type_hint === DEFERRAL_CODE_TOKEN_TYPE
      ? { deferralCode: body.token }
      : { token: body.token };
  }
  if (body.agent !== undefined) return { agent: body.agent };
  throw new Error('revoke body parsed without token or agent');
}
