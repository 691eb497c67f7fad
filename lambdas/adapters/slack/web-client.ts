import { WebClient, type WebAPICallResult, type WebClientOptions } from '@slack/web-api';
import { noMetrics, type OperationalMetrics } from '../../ports/operational-metrics';

/** A WebClient that counts `SlackCallFailed` for every call that fails after the client's own retries. */
class MeteredWebClient extends WebClient {
  constructor(
    token: string,
    options: WebClientOptions,
    private readonly metrics: OperationalMetrics,
  ) {
    super(token, options);
  }

  // Every Web API method (chat.postMessage, views.open, …) goes through apiCall.
  override async apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    try {
      return await super.apiCall(method, options);
    } catch (error) {
      this.metrics.count('SlackCallFailed');
      throw error;
    }
  }
}

/**
 * A Slack Web API client. Calls go to `SLACK_API_URL` when set (a local or test Slack), else to
 * Slack. Rate-limited calls are retried after `Retry-After` (the client's built-in behaviour); a call
 * that still fails counts `SlackCallFailed`.
 * @default apiUrl `SLACK_API_URL`, else Slack's own
 * @default metrics {@link noMetrics}
 */
export function slackWebClient(
  botToken: string,
  apiUrl: string | undefined = process.env.SLACK_API_URL,
  metrics: OperationalMetrics = noMetrics,
): WebClient {
  return new MeteredWebClient(
    botToken,
    {
      ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
      retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2000 },
    },
    metrics,
  );
}
