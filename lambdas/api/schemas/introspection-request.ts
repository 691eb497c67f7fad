import * as z from 'zod/mini';
import type { ResourceOperation } from '../../domain/requests/trace';
import { resourceOperationFields, resourceOperationOf } from './resource-operation';
import { body, ignored, text } from './schema';

/** An access token as introspection and revocation take it. */
export const tokenField = (description: string) =>
  text({ max: 8192, description, examples: ['eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiIxIn0.c2ln'] });

/** OAuth's `token_type_hint`: accepted, not used. */
export const tokenTypeHint = ignored({
  description: 'RFC 7662 §2.1 / RFC 7009 §2.1 hint; stepup only issues access tokens.',
  examples: ['access_token'],
});

/** The body of `POST /v1/introspect` (JSON or form fields). */
export const introspectionRequestBody = body(
  {
    token: tokenField('The access token to check, and consume if it is valid for the caller.'),
    token_type_hint: tokenTypeHint,
    parameters_sha256: z.optional(
      text({
        max: 43,
        pattern: /^[A-Za-z0-9_-]{43}$/,
        hint: 'a SHA-256 digest in base64url without padding (43 characters)',
        description:
          'The digest (RFC 8785 canonical JSON, SHA-256, base64url) of the arguments the resource server ' +
          'received. When it differs from the token’s parameters_sha256 (or the token binds none), the ' +
          'token is not consumed, a parameters_mismatch audit event is recorded, and the answer is ' +
          '{"active":false}; the token stays usable with the approved arguments.',
        examples: ['hTW6l4Y1bMV-vbU6bhgcSyhc_CnN9l9iXGxy1d1P5aE'],
      }),
    ),
    ...resourceOperationFields,
  },
  {
    name: 'IntrospectionRequest',
    description: 'RFC 7662 introspection by the token’s audience: the first successful call consumes it.',
    examples: [
      { token: 'eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiIxIn0.c2ln' },
      { token: 'eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiIxIn0.c2ln', method: 'DELETE', path: '/tables/orders' },
    ],
  },
);

/** What the resource server asks about: the token, and the digest of the arguments it received. */
export interface IntrospectionRequest {
  readonly token: string;
  readonly parametersSha256?: string;
  /** What the resource server is about to do with the token, recorded with its consumption. */
  readonly operation?: ResourceOperation;
}

/** Validates an introspection body (JSON or form fields). */
export function parseIntrospectionRequest(raw: unknown): IntrospectionRequest {
  const parsed = introspectionRequestBody.parse(raw);
  const operation = resourceOperationOf(parsed);
  return {
    token: parsed.token,
    ...(parsed.parameters_sha256 === undefined ? {} : { parametersSha256: parsed.parameters_sha256 }),
    ...(operation === undefined ? {} : { operation }),
  };
}
