import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { SLACK_BOT_TOKEN_PLACEHOLDER } from '../lambdas/adapters/aws/slack-secret';

/**
 * Slack credentials as JSON `{"botToken", "signingSecret"}`. The signing secret starts out random,
 * not as a known placeholder, so nobody can forge a signed Slack request before the operator
 * configures the real one.
 */
export function buildSlackSecret(scope: Construct, id: string): secretsmanager.Secret {
  return new secretsmanager.Secret(scope, id, {
    description: 'stepup: Slack bot token and signing secret, as {"botToken","signingSecret"}',
    generateSecretString: {
      secretStringTemplate: JSON.stringify({ botToken: SLACK_BOT_TOKEN_PLACEHOLDER }),
      generateStringKey: 'signingSecret',
      excludePunctuation: true,
      passwordLength: 32,
    },
  });
}
