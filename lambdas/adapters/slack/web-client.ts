import { WebClient, type WebAPICallResult, type WebClientOptions } from '@slack/web-api';
import { noMetrics, type OperationalMetrics } from '../../ports/operational-metrics';

/**
 * How long one Slack Web API call may take, and how often it is tried, by who is waiting:
 * - `interactive`: the Slack ingress. Slack wants the click's HTTP answer within 3 s and Bolt's
 *   Lambda receiver answers only after the listener finished, so a call gets 1.2 s and one quick
 *   retry, and a rate-limited call fails at once instead of sleeping through `Retry-After`.
 * - `background`: workflow steps and API functions (10 s Lambda timeout): 4 attempts of at most
 *   1.5 s plus back-off (0.2 + 0.4 + 0.8 s) stay under it; the workflow retries the step itself.
 * - `posting`: `chat.postMessage` of an approval message, which is not idempotent: one attempt, with
 *   the patience of the whole background budget, since a retry after a lost answer would post twice.
 *   The step's own retry looks for the earlier post before posting again.
 */
export const SLACK_CALL_PROFILES = {
  interactive: {
    timeout: 1200,
    retryConfig: { retries: 1, factor: 1, minTimeout: 100, maxTimeout: 100 },
    rejectRateLimitedCalls: true,
  },
  background: {
    timeout: 1500,
    retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2000 },
  },
  posting: {
    timeout: 6000,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  },
} as const satisfies Record<string, WebClientOptions>;

/** Who waits for a Slack call; see {@link SLACK_CALL_PROFILES}. */
export type SlackCallProfile = keyof typeof SLACK_CALL_PROFILES;

/** Where Slack calls go and how patiently. */
export interface SlackClientSettings {
  /** Slack Web API base URL (a local or test Slack). @default `SLACK_API_URL`, else Slack's own */
  readonly apiUrl?: string;
  /** @default 'background' */
  readonly profile?: SlackCallProfile;
  /** Where `SlackCallFailed` is counted. @default noMetrics */
  readonly metrics?: OperationalMetrics;
}

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
 * The options of every Slack Web API client, ours and Bolt's (`clientOptions`), so each call from
 * every function honours `SLACK_API_URL` and has a timeout.
 */
export function slackClientOptions(settings: SlackClientSettings = {}): WebClientOptions {
  const apiUrl = settings.apiUrl ?? process.env.SLACK_API_URL;
  const profile = SLACK_CALL_PROFILES[settings.profile ?? 'background'];
  return {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    timeout: profile.timeout,
    retryConfig: { ...profile.retryConfig },
    ...('rejectRateLimitedCalls' in profile
      ? { rejectRateLimitedCalls: profile.rejectRateLimitedCalls }
      : {}),
  };
}

/**
 * A Slack Web API client with {@link slackClientOptions}. Rate-limited calls are retried after
 * `Retry-After` (the client's built-in behaviour) unless the profile is interactive; a call that still
 * fails counts `SlackCallFailed`.
 */
export function slackWebClient(botToken: string, settings: SlackClientSettings = {}): WebClient {
  return new MeteredWebClient(botToken, slackClientOptions(settings), settings.metrics ?? noMetrics);
}
