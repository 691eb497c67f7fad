import { callerOf, json } from '../adapters/api-gateway/http-event';
import { httpRoute } from '../adapters/api-gateway/http-route';
import { tableStore } from '../adapters/aws/table-clients';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { getRequestView } from '../domain/request-view';
import type { RequestStore } from '../ports/request-store';

/** `GET /v1/requests/{id}`: status, decision and audit trail, for the requesting agent only. */
export function getRequestHandler(deps: { readonly store: RequestStore }) {
  return httpRoute(async (event) => {
    const agent = callerOf(event);
    return json(200, await getRequestView(deps.store, agent, event.pathParameters?.id ?? ''));
  });
}

export const handler = lazyHandler(() => getRequestHandler({ store: tableStore() }));
