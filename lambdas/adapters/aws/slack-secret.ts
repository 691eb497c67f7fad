import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { parseSlackCredentials, type SlackCredentials } from '../slack/slack-credentials';
import { requireEnv } from '../env';

/**
 * How long a container uses the Slack secret's value before reading it again: after
 * `put-secret-value`, warm containers pick up the new bot token and signing secret within this
 * time, without a redeploy. Five minutes keeps Secrets Manager calls at ~12 per hour per container.
 */
export const SLACK_SECRET_MAX_AGE_SECONDS = 300;

/** The Slack secret's name, from `SLACK_SECRET_ARN` (the ARN ends in the name plus `-` and 6 characters). */
export function slackSecretName(arn: string = requireEnv('SLACK_SECRET_ARN')): string {
  return /:secret:(.+)-[A-Za-z0-9]{6}$/.exec(arn)?.[1] ?? arn;
}

/**
 * The secret named by `SLACK_SECRET_ARN` (JSON `{"botToken", "signingSecret"}`), cached by
 * Powertools Parameters for {@link SLACK_SECRET_MAX_AGE_SECONDS}.
 * @throws Error when a field is missing, without echoing the secret
 */
export async function slackCredentials(): Promise<SlackCredentials> {
  const value = await getSecret(requireEnv('SLACK_SECRET_ARN'), {
    maxAge: SLACK_SECRET_MAX_AGE_SECONDS,
    transform: 'json',
  });
  return parseSlackCredentials(value);
}
