import * as z from 'zod/mini';
import { ACCESS_TOKEN_TYPE, AWS_CREDENTIALS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE } from '../../contract';
import { tokenField } from './introspection-request';
import { body, constant } from './schema';

/** The body of `POST /v1/credentials/aws` (JSON or form fields). */
export const awsCredentialsRequestBody = body(
  {
    grant_type: constant(
      TOKEN_EXCHANGE_GRANT_TYPE,
      { code: 'unsupported_grant_type', message: `grant_type must be ${TOKEN_EXCHANGE_GRANT_TYPE}` },
      { description: 'The RFC 8693 token-exchange grant type.' },
    ),
    subject_token: tokenField('The stepup token to exchange; the exchange consumes it.'),
    subject_token_type: constant(
      ACCESS_TOKEN_TYPE,
      { code: 'invalid_request', message: `subject_token_type must be ${ACCESS_TOKEN_TYPE}` },
      { description: 'The stepup token is an access token.' },
    ),
    requested_token_type: z.optional(
      constant(
        AWS_CREDENTIALS_TOKEN_TYPE,
        { code: 'invalid_request', message: `requested_token_type must be ${AWS_CREDENTIALS_TOKEN_TYPE}` },
        { description: 'What is asked for: AWS credentials (the only type this endpoint issues).' },
      ),
    ),
  },
  {
    name: 'AwsCredentialsRequest',
    description:
      'RFC 8693 token exchange by the agent that holds the token: the stepup token, once, for AWS ' +
      'credentials that can make exactly the approved call.',
    examples: [
      {
        grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
        subject_token: 'eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiIxIn0.c2ln',
        subject_token_type: ACCESS_TOKEN_TYPE,
        requested_token_type: AWS_CREDENTIALS_TOKEN_TYPE,
      },
    ],
  },
);

/** Validates a token-exchange body (JSON or form fields) and returns the subject token. */
export function parseAwsCredentialsRequest(raw: unknown): string {
  return awsCredentialsRequestBody.parse(raw).subject_token;
}
