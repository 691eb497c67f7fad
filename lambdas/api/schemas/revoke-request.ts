import { tokenField, tokenTypeHint } from './introspection-request';
import type { RevokeInput } from '../../domain/revoke';
import { WORKLOAD_SUB_RULE } from '../../domain/workload-identity';
import { body, optional, text } from './schema';

/** The body of `POST /v1/revoke` (JSON or form fields): one token, or every grant of an agent. */
export const revokeRequestBody = body(
  {
    token: optional(
      tokenField('RFC 7009: the token to revoke; the caller must be its agent or its audience.'),
    ),
    token_type_hint: tokenTypeHint,
    agent: optional(
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
    examples: [{ token: 'eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiIxIn0.c2ln' }, { agent: 'deploy-bot' }],
    exactlyOne: {
      fields: ['token', 'agent'],
      message: 'give either token (to revoke one token) or agent (kill switch)',
    },
  },
);

/**
 * Validates a revocation body (JSON or form): `token` (RFC 7009) or `agent` (operators only),
 * exactly one of them.
 */
export function parseRevokeRequest(raw: unknown): RevokeInput {
  const body = revokeRequestBody.parse(raw);
  if (body.token !== undefined) return { token: body.token };
  if (body.agent !== undefined) return { agent: body.agent };
  throw new Error('revoke body parsed without token or agent');
}
