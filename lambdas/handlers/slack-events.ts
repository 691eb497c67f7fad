import { App, AwsLambdaReceiver } from '@slack/bolt';
import type { AwsEvent } from '@slack/bolt/dist/receivers/AwsLambdaReceiver';
import { json, type HttpEvent, type HttpResult } from '../adapters/api-gateway/http-event';
import { envConfig } from '../adapters/env-config';
import { tableStore } from '../adapters/aws/table-clients';
import { taskResponder } from '../adapters/aws/workflow-clients';
import { emfMetrics } from '../adapters/aws/emf-metrics';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { slackCredentials } from '../adapters/aws/slack-secret';
import { logger } from '../adapters/logger';
import { registerApprovalListeners } from '../adapters/slack/approval-listeners';
import { boltLogger } from '../adapters/slack/bolt-logger';
import { prepareSlackEvent } from '../adapters/slack/signed-request';
import { slackWebClient } from '../adapters/slack/web-client';
import type { StepUpConfig } from '../domain/config';
import { systemClock, type Clock } from '../ports/clock';
import type { OperationalMetrics } from '../ports/operational-metrics';
import type { RequestStore } from '../ports/request-store';
import type { Workflow } from '../ports/workflow';

/** What the Slack ingress needs. */
export interface SlackEventsDeps {
  readonly signingSecret: string;
  readonly botToken: string;
  /** Slack Web API base URL. @default Slack's own, or `SLACK_API_URL` */
  readonly slackApiUrl?: string;
  readonly store: RequestStore;
  readonly workflow: Pick<Workflow, 'sendTaskSuccess'>;
  readonly config: StepUpConfig;
  readonly clock: Clock;
  /**
   * Where `SlackCallFailed` is counted.
   * @default noMetrics
   */
  readonly metrics?: OperationalMetrics;
}

const unauthorized: HttpResult = json(401, {
  error: 'invalid_signature',
  error_description: 'request signature rejected',
});

/**
 * `POST /slack/events`: Approve/Deny clicks, through Bolt (signature verified with the signing
 * secret). Each click is authorised by Slack user and team id and recorded as one conditional write.
 */
export function slackEventsHandler(deps: SlackEventsDeps) {
  const client = slackWebClient(deps.botToken, deps.slackApiUrl, deps.metrics);
  const receiver = new AwsLambdaReceiver({ signingSecret: deps.signingSecret, logger: boltLogger() });
  const app = new App({
    token: deps.botToken,
    receiver,
    tokenVerificationEnabled: false,
    logger: boltLogger(),
    clientOptions: deps.slackApiUrl ? { slackApiUrl: deps.slackApiUrl } : {},
  });

  registerApprovalListeners(app, { ...deps, client });

  const handle = receiver.toHandler();
  return async (event: HttpEvent): Promise<HttpResult> => {
    const prepared = prepareSlackEvent(event, Math.floor(deps.clock.now().getTime() / 1000));
    if (!prepared) return unauthorized;
    try {
      const response = await handle(prepared as unknown as AwsEvent, {});
      if (response.statusCode === 401) return unauthorized;
      return response as HttpResult;
    } catch (error) {
      // Bolt parses the body before checking the signature; an unparsable body lands here.
      logger.warn('unreadable Slack request', { error: error as Error });
      return json(400, { error: 'invalid_request', error_description: 'unreadable Slack payload' });
    }
  };
}

export const handler = lazyHandler(async () => {
  const credentials = await slackCredentials();
  return slackEventsHandler({
    ...credentials,
    store: tableStore(),
    workflow: taskResponder(),
    config: envConfig(),
    clock: systemClock,
    metrics: emfMetrics,
  });
});
