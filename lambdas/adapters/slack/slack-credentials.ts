/** The Slack app's credentials, as stored in the Slack secret (JSON). */
export interface SlackCredentials {
  readonly botToken: string;
  readonly signingSecret: string;
}

/** The bot token the secret holds from deployment until an operator puts the real one in. */
export const SLACK_BOT_TOKEN_PLACEHOLDER = 'xoxb-replace-me';

/** True while the secret still holds the deploy-time placeholder: nobody can be paged. */
export function isPlaceholder(credentials: SlackCredentials): boolean {
  return credentials.botToken === SLACK_BOT_TOKEN_PLACEHOLDER;
}

/**
 * The credentials in a parsed secret value.
 * @throws Error when a field is missing, without echoing the secret
 */
export function parseSlackCredentials(value: unknown): SlackCredentials {
  const parsed = (typeof value === 'object' && value !== null ? value : {}) as Partial<
    Record<keyof SlackCredentials, unknown>
  >;
  if (typeof parsed.botToken !== 'string' || !parsed.botToken) {
    throw new Error('the Slack secret must hold JSON with botToken and signingSecret');
  }
  if (typeof parsed.signingSecret !== 'string' || !parsed.signingSecret) {
    throw new Error('the Slack secret must hold JSON with botToken and signingSecret');
  }
  return { botToken: parsed.botToken, signingSecret: parsed.signingSecret };
}
