import { WebClient } from '@slack/web-api';

/**
 * A Slack Web API client. Calls go to `SLACK_API_URL` when set (a local or test Slack), else to
 * Slack. Rate-limited calls are retried after `Retry-After` (the client's built-in behaviour).
 */
export function slackWebClient(
  botToken: string,
  apiUrl: string | undefined = process.env.SLACK_API_URL,
): WebClient {
  return new WebClient(botToken, {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2000 },
  });
}
