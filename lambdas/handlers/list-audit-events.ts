import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { json } from '../adapters/api-gateway/http-event';
import { auditLog } from '../adapters/aws/audit-clients';
import { envAdmission } from '../adapters/env-admission';
import { envConfig } from '../adapters/env-config';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { parseAuditQuery } from '../api/schemas/audit-query';
import type { AgentAdmission } from '../domain/agents/agent-admission';
import {
  auditRecordView,
  listAuditEvents,
  type ListAuditEventsDeps,
} from '../domain/audit/list-audit-events';

/** `GET /v1/audit/events`: every agent's audit events, newest first, filtered; operators only. */
export function listAuditEventsHandler(deps: ListAuditEventsDeps & { readonly admission: AgentAdmission }) {
  return authenticatedRoute(deps.admission, async (event, caller) => {
    const page = await listAuditEvents(deps, caller, () => parseAuditQuery(event.queryStringParameters));
    return json(200, {
      events: page.items.map(auditRecordView),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
  });
}

export const handler = lazyHandler(() => {
  const config = envConfig();
  return listAuditEventsHandler({
    log: auditLog(),
    operators: config.operators,
    admission: envAdmission(config),
  });
});
