import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { bodyOf, json } from '../adapters/api-gateway/http-event';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { tableStore } from '../adapters/aws/table-clients';
import { envAdmission } from '../adapters/env-admission';
import { requestLogger } from '../adapters/logger';
import { parseOutcomeRequest } from '../api/schemas/outcome-request';
import type { AgentAdmission } from '../domain/agents/agent-admission';
import { recordOutcome, type RecordOutcomeDeps } from '../domain/requests/record-outcome';
import { systemClock } from '../ports/clock';

/**
 * `POST /v1/requests/{id}/outcome`: the resource server that consumed the token reports how the
 * action ended. Authenticated as introspection is: a workload JWT whose `sub` is the token's `aud`.
 */
export function recordOutcomeHandler(deps: RecordOutcomeDeps & { readonly admission: AgentAdmission }) {
  return authenticatedRoute(deps.admission, async (event, caller) => {
    const requestId = event.pathParameters?.id ?? '';
    const outcome = parseOutcomeRequest(bodyOf(event));
    const recorded = await recordOutcome(deps, caller, requestId, outcome);
    requestLogger(requestId).info('action outcome', { resourceServer: caller, result: recorded.result });
    return json(200, recorded);
  });
}

export const handler = lazyHandler(() =>
  recordOutcomeHandler({ store: tableStore(), clock: systemClock, admission: envAdmission() }),
);
