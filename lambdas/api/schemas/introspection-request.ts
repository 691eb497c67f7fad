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
  },
  {
    name: 'IntrospectionRequest',
    description: 'RFC 7662 introspection by the token’s audience: the first successful call consumes it.',
    examples: [{ token: 'eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiIxIn0.c2ln' }],
  },
);

/** Validates an introspection body (JSON or form fields) and returns the token. */
export function parseIntrospectionRequest(raw: unknown): string {
  return introspectionRequestBody.parse(raw).token;
}
