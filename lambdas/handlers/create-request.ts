import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { bodyOf, headerOf, json } from '../adapters/api-gateway/http-event';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import type { AgentAdmission } from '../domain/agents/agent-admission';
import { cedarPolicyFromCompiledSet } from '../adapters/cedar/compiled-policy-set';
import { envCreateRequest } from '../adapters/env-create-request';
import { requestLogger } from '../adapters/logger';
import { parseCreateRequest } from '../api/schemas/create-request';
import { createRequestIdempotently, type IdempotentCreateDeps } from '../domain/requests/idempotent-create';

/** What `POST /v1/requests` needs besides the use case's ports. */
export interface CreateRequestHandlerDeps extends IdempotentCreateDeps {
  readonly admission: AgentAdmission;
}

/** `POST /v1/requests`: an agent asks to perform one action; policy says alone, with approval, or never. */
export function createRequestHandler(deps: CreateRequestHandlerDeps) {
  return authenticatedRoute(deps.admission, async (event, agent) => {
    const body = bodyOf(event);
    const input = parseCreateRequest(body);
    const created = await createRequestIdempotently(
      deps,
      agent,
      input,
      body,
      headerOf(event, 'idempotency-key'),
    );
    requestLogger(created.auth_req_id).info('request created', {
      agent,
      action: input.action,
      audience: input.audience,
      status: created.status,
    });
    return json(created.status === 'approved' ? 200 : 202, created);
  });
}

export const handler = lazyHandler(() =>
  createRequestHandler(envCreateRequest('createRequest', cedarPolicyFromCompiledSet)),
);
