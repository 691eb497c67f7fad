/** What the exchange asks STS for: one role session narrowed to one approved call. */
export interface AwsSessionRequest {
  readonly roleArn: string;
  /** The request id: CloudTrail shows it as the session name of every call. */
  readonly roleSessionName: string;
  /** The agent, in STS's alphabet (`sourceIdentityOf`). */
  readonly sourceIdentity: string;
  /** The inline session policy (JSON). */
  readonly policy: string;
  readonly durationSeconds: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** Temporary AWS credentials. `secretAccessKey` and `sessionToken` are secrets: never logged or stored. */
export interface AwsSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** Issues role sessions (STS `AssumeRole` in AWS; a stand-in speaking its protocol locally). */
export interface AwsSessionIssuer {
  assumeRole(request: AwsSessionRequest): Promise<AwsSession>;
}
