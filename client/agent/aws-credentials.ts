import {
  ACCESS_TOKEN_TYPE,
  AWS_CREDENTIALS_TOKEN_TYPE,
  TOKEN_EXCHANGE_GRANT_TYPE,
} from '../../lambdas/contract';

/**
 * Temporary AWS credentials that can make exactly the approved call (one IAM action on one ARN).
 * Shaped as the AWS SDK for JavaScript's own credentials, so the object can be passed as a client's
 * `credentials` as it is; `region` is where the approved resource lives.
 */
export interface AwsCredentials {
  /** Recorded by CloudTrail on every call, and in the request's `credentials_issued` audit event. */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /**
   * When STS expires them (15 minutes after the exchange, its minimum). The approved call itself stops
   * being allowed when the approval's own lifetime ends, which may be sooner.
   */
  readonly expiration: Date;
  /** The approved resource's region (the deployment's region for a global resource such as an S3 bucket). */
  readonly region: string;
}

/** The body `POST /v1/credentials/aws` takes for `subjectToken`. */
export function tokenExchangeForm(subjectToken: string): Record<string, string> {
  return {
    grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
    subject_token: subjectToken,
    subject_token_type: ACCESS_TOKEN_TYPE,
    requested_token_type: AWS_CREDENTIALS_TOKEN_TYPE,
  };
}

/** The credentials in a `200` answer of the exchange, or undefined when it is not the documented shape. */
export function parseAwsCredentials(body: Record<string, unknown>): AwsCredentials | undefined {
  const { access_key_id, secret_access_key, session_token, expiration, region, issued_token_type } = body;
  if (
    issued_token_type !== AWS_CREDENTIALS_TOKEN_TYPE ||
    typeof access_key_id !== 'string' ||
    typeof secret_access_key !== 'string' ||
    typeof session_token !== 'string' ||
    typeof expiration !== 'string' ||
    typeof region !== 'string'
  ) {
    return undefined;
  }
  const expires = new Date(expiration);
  if (Number.isNaN(expires.getTime())) return undefined;
  return {
    accessKeyId: access_key_id,
    secretAccessKey: secret_access_key,
    sessionToken: session_token,
    expiration: expires,
    region,
  };
}
