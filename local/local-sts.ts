import { randomBytes } from 'node:crypto';
import { STSClient } from '@aws-sdk/client-sts';
import { StsSessionIssuer } from '../lambdas/adapters/aws/sts-session-issuer';
import type { StepUpConfig } from '../lambdas/domain/config/config';
import { startStsStandIn, type RunningStsStandIn, type StsCaller } from './aws/sts-stand-in';
import { sdkLogger } from '../lambdas/adapters/aws/sdk-client-options';

/** The region the local runtime's credentials answer for a global ARN (there is no real one). */
export const LOCAL_REGION = 'us-east-1';

/** The local runtime's STS: the Query-protocol stand-in, and the exchange's client signed for it. */
export interface LocalSts {
  readonly sessions: StsSessionIssuer;
  readonly standIn: RunningStsStandIn;
  close(): Promise<void>;
}

/**
 * Starts STS for `npm start`: the same Query-protocol stand-in the deployed-bundle suite runs, on a
 * random port, answering only the runtime's own exchange (a key made for this run, SigV4-checked),
 * and only for the roles `awsTargets` names — locally there is no IAM to consult beyond that.
 */
export async function startLocalSts(config: StepUpConfig): Promise<LocalSts> {
  const exchange: StsCaller & { readonly accessKeyId: string } = {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(64).toString('base64'),
    assumedRoleArn: 'arn:aws:sts::000000000000:assumed-role/stepup-local/credentials-aws',
  };
  const targets = new Set(Object.values(config.awsTargets).map((target) => target.roleArn));
  const standIn = await startStsStandIn({
    region: LOCAL_REGION,
    callers: { byAccessKeyId: (id) => (id === exchange.accessKeyId ? exchange : undefined) },
    authorize: async ({ roleArn }) => targets.has(roleArn),
  });
  const client = new STSClient({
    logger: sdkLogger,
    endpoint: standIn.endpoint,
    region: LOCAL_REGION,
    credentials: exchange,
  });
  return {
    sessions: new StsSessionIssuer(client),
    standIn,
    close: async () => {
      client.destroy();
      await standIn.close();
    },
  };
}
