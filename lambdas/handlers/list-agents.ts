import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { json } from '../adapters/api-gateway/http-event';
import { killSwitchLedger, tableHistory } from '../adapters/aws/table-clients';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { envAdmission } from '../adapters/env-admission';
import { envConfig } from '../adapters/env-config';
import type { AgentAdmission } from '../domain/agents/agent-admission';
import { agentsOverview, type AgentsOverviewDeps } from '../domain/agents/agents-overview';
import { systemClock } from '../ports/clock';

/** `GET /v1/agents`: every agent's recent activity and kill switch, for operators. */
export function listAgentsHandler(deps: AgentsOverviewDeps & { readonly admission: AgentAdmission }) {
  return authenticatedRoute(deps.admission, async (event, caller) => {
    return json(200, await agentsOverview(deps, caller, event.queryStringParameters?.cursor));
  });
}

export const handler = lazyHandler(() => {
  const config = envConfig();
  return listAgentsHandler({
    history: tableHistory().history,
    killSwitches: killSwitchLedger(),
    operators: config.operators,
    clock: systemClock,
    admission: envAdmission(config),
  });
});
