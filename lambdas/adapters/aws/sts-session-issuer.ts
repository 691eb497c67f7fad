import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsSession, AwsSessionIssuer, AwsSessionRequest } from '../../ports/aws-sessions';

/**
 * {@link AwsSessionIssuer} on STS `AssumeRole`. The endpoint is the SDK's own choice: the regional STS
 * endpoint in AWS, or `AWS_ENDPOINT_URL_STS` (the local stand-in) when set.
 */
export class StsSessionIssuer implements AwsSessionIssuer {
  constructor(private readonly client: STSClient) {}

  async assumeRole(request: AwsSessionRequest): Promise<AwsSession> {
    const { Credentials: credentials } = await this.client.send(
      new AssumeRoleCommand({
        RoleArn: request.roleArn,
        RoleSessionName: request.roleSessionName,
        SourceIdentity: request.sourceIdentity,
        Policy: request.policy,
        DurationSeconds: request.durationSeconds,
        Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = credentials ?? {};
    if (!AccessKeyId || !SecretAccessKey || !SessionToken || !Expiration) {
      throw new Error('STS AssumeRole answered without credentials');
    }
    return {
      accessKeyId: AccessKeyId,
      secretAccessKey: SecretAccessKey,
      sessionToken: SessionToken,
      expiration: Expiration,
    };
  }
}
