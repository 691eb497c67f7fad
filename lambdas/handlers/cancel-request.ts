import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { json } from '../adapters/api-gateway/http-event';
import { stateMachineWorkflow } from '../adapters/aws/workflow-clients';
import { digestBoard, tableStore } from '../adapters/aws/table-clients';
import { envAdmission } from '../adapters/env-admission';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { secretBackedNotifier } from '../adapters/aws/slack-session';
import type { AgentAdmission } from '../domain/agents/agent-admission';
import { requestLogger } from '../adapters/logger';
import { cancelRequest, type CancelDeps } from '../domain/requests/cancel-request';
import { requestView } from '../domain/requests/request-view';
import { systemClock } from '../ports/clock';

/** `POST /v1/requests/{id}/cancel`: the requesting agent withdraws a pending request. */
export function cancelRequestHandler(deps: CancelDeps & { readonly admission: AgentAdmission }) {
  return authenticatedRoute(deps.admission, async (event, agent) => {
    const requestId = event.pathParameters?.id ?? '';
    const request = await cancelRequest(deps, agent, requestId);
    requestLogger(requestId).info('request cancelled', { agent });
    return json(200, requestView(request));
  });
}

export const handler = lazyHandler(() => {
  const notifier = secretBackedNotifier('cancelRequest');
  return cancelRequestHandler({
    store: tableStore(),
    workflow: stateMachineWorkflow(),
    notifier,
    clock: systemClock,
    admission: envAdmission(),
    digest: { board: digestBoard(), notifier },
  });
});
