import { emfMetrics } from '../aws/emf-metrics';
import { logger } from '../logger';

/** The one log message every function writes when the Slack secret still holds the placeholder. */
export const SLACK_PLACEHOLDER_LOG_MESSAGE = 'Slack secret still holds the deploy-time placeholder';

/** What an operator must do, named in the log line and in the agent's 503. */
export function fillSlackSecretHint(secretName: string): string {
  return (
    `put the Slack app's botToken and signingSecret into secret ${secretName} ` +
    `(aws secretsmanager put-secret-value, see README "Connect Slack")`
  );
}

/**
 * Reports that `fn` found the Slack secret unfilled: one error line with the stable field
 * `slackPlaceholderSecret: true`, and the `SlackPlaceholderSecret` metric, which alarms. It logs
 * nothing secret (the secret's name only).
 */
export function reportSlackPlaceholderSecret(fn: string, secretName: string): void {
  emfMetrics.count('SlackPlaceholderSecret');
  logger.error(SLACK_PLACEHOLDER_LOG_MESSAGE, {
    slackPlaceholderSecret: true,
    function: fn,
    secret: secretName,
    fix: fillSlackSecretHint(secretName),
  });
}

/** Slack cannot be used: its secret still holds the placeholder. Stable `code` for callers. */
export class SlackNotConfiguredError extends Error {
  readonly code = 'slack_not_configured';

  constructor(secretName: string) {
    super(`Slack is not configured: ${fillSlackSecretHint(secretName)}`);
    this.name = 'SlackNotConfiguredError';
  }
}
