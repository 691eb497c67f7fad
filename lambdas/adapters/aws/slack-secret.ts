import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { requireEnv } from '../env';
import { logger } from '../logger';
import { emfMetrics } from './emf-metrics';
import { traced } from './tracing';

/** The bot token the construct stores until the operator puts the real one in (see the README). */
export const SLACK_BOT_TOKEN_PLACEHOLDER = 'xoxb-replace-me';

/** The Slack app's credentials, as stored in Secrets Manager. */
export interface SlackCredentials {
  readonly botToken: string;
  readonly signingSecret: string;
}

/**
 * Reads the secret named by `SLACK_SECRET_ARN` (JSON `{"botToken", "signingSecret"}`), once per
 * container. A placeholder bot token is counted (`SlackPlaceholderSecret`, which alarms) rather than
 * refused, so the non-Slack parts of a function keep working until Slack is connected.
 * @throws Error when a field is missing, without echoing the secret
 */
export async function slackCredentials(): Promise<SlackCredentials> {
  const { SecretString } = await traced(new SecretsManagerClient({})).send(
    new GetSecretValueCommand({ SecretId: requireEnv('SLACK_SECRET_ARN') }),
  );
  const parsed = JSON.parse(SecretString ?? '{}') as Partial<SlackCredentials>;
  if (!parsed.botToken || !parsed.signingSecret) {
    throw new Error('the Slack secret must hold JSON with botToken and signingSecret');
  }
  if (parsed.botToken === SLACK_BOT_TOKEN_PLACEHOLDER) {
    logger.error('the Slack secret still holds the placeholder bot token; see "Connect Slack" in the README');
    emfMetrics.count('SlackPlaceholderSecret');
  }
  return { botToken: parsed.botToken, signingSecret: parsed.signingSecret };
}
