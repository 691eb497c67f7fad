import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { requireEnv } from '../env';

/** The Slack app's credentials, as stored in Secrets Manager. */
export interface SlackCredentials {
  readonly botToken: string;
  readonly signingSecret: string;
}

/**
 * Reads the secret named by `SLACK_SECRET_ARN` (JSON `{"botToken", "signingSecret"}`), once per container.
 * @throws Error when a field is missing, without echoing the secret
 */
export async function slackCredentials(): Promise<SlackCredentials> {
  const { SecretString } = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: requireEnv('SLACK_SECRET_ARN') }),
  );
  const parsed = JSON.parse(SecretString ?? '{}') as Partial<SlackCredentials>;
  if (!parsed.botToken || !parsed.signingSecret) {
    throw new Error('the Slack secret must hold JSON with botToken and signingSecret');
  }
  return { botToken: parsed.botToken, signingSecret: parsed.signingSecret };
}
