import { callerOf, json } from '../adapters/api-gateway/http-event';
import { httpRoute } from '../adapters/api-gateway/http-route';
import { stateMachineWorkflow } from '../adapters/aws/workflow-clients';
import { tableStore } from '../adapters/aws/table-clients';
import { emfMetrics } from '../adapters/aws/emf-metrics';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { slackCredentials } from '../adapters/aws/slack-secret';
import { requestLogger } from '../adapters/logger';
import { SlackNotifier } from '../adapters/slack/slack-notifier';
import { slackWebClient } from '../adapters/slack/web-client';
import { cancelRequest, type CancelDeps } from '../domain/cancel-request';
import { requestView } from '../domain/request-view';
import { systemClock } from '../ports/clock';

/** `POST /v1/requests/{id}/cancel`: the requesting agent withdraws a pending request. */
export function cancelRequestHandler(deps: CancelDeps) {
  return httpRoute(async (event) => {
    const agent = callerOf(event);
    const requestId = event.pathParameters?.id ?? '';
    const request = await cancelRequest(deps, agent, requestId);
    requestLogger(requestId).info('request cancelled', { agent });
    return json(200, requestView(request));
  });
}

export const handler = lazyHandler(async () => {
  const { botToken } = await slackCredentials();
  return cancelRequestHandler({
    store: tableStore(),
    workflow: stateMachineWorkflow(),
    notifier: new SlackNotifier(slackWebClient(botToken, undefined, emfMetrics)),
    clock: systemClock,
  });
});
