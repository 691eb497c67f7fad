import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { json } from '../adapters/api-gateway/http-event';
import { tableStore } from '../adapters/aws/table-clients';
import { envAdmission } from '../adapters/env-admission';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import type { AgentAdmission } from '../domain/agents/agent-admission';
import { getRequestView } from '../domain/requests/request-view';
import type { RequestStore } from '../ports/request-store';

/** `GET /v1/requests/{id}`: status, decision and audit trail, for the requesting agent only. */
export function getRequestHandler(deps: {
  readonly store: RequestStore;
  readonly admission: AgentAdmission;
}) {
  return authenticatedRoute(deps.admission, async (event, agent) => {
    return json(200, await getRequestView(deps.store, agent, event.pathParameters?.id ?? ''));
  });
}

export const handler = lazyHandler(() =>
  getRequestHandler({ store: tableStore(), admission: envAdmission() }),
);
