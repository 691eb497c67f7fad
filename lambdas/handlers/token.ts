import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { bodyOf, headerOf, json, type HttpEvent } from '../adapters/api-gateway/http-event';
import { kmsSigner } from '../adapters/aws/signing-clients';
import { tableRequestChanges, tableStore } from '../adapters/aws/table-clients';
import { envAdmission } from '../adapters/env-admission';
import { lazyHandler, onceUnlessFailed } from '../adapters/aws/lazy-handler';
import type { AgentAdmission } from '../domain/agents/agent-admission';
import { ENV, requireEnv } from '../adapters/env';
import { requestLogger } from '../adapters/logger';
import { parseTokenEndpointRequest } from '../api/schemas/token-endpoint-request';
import { createRequest, type CreateRequestDeps } from '../domain/requests/create-request';
import { deliverToken, type DeliverTokenDeps } from '../domain/tokens/deliver-token';
import { StepUpError } from '../domain/errors';
import { systemClock } from '../ports/clock';
import { envCreateRequest } from '../adapters/env-create-request';

/** The create use case's ports, as `POST /v1/requests` has them. */

/** What `POST /v1/token` needs: the poll's ports, and for DTR those of `POST /v1/requests`. */
export interface TokenHandlerDeps extends DeliverTokenDeps {
  readonly admission: AgentAdmission;
  /**
   * The create use case's ports, for deferred token requests (DTR), asked for on each one. Most
   * calls are polls, which need none of them: in AWS they are built on the first DTR, so a container
   * that only answers polls never loads Cedar or pre-parses the policy set.
   */
  readonly create: () => Promise<CreateRequestDeps>;
}

/** The bearer token of the call, whatever its scheme (the authorizer already verified it). */
function bearerOf(event: HttpEvent): string | undefined {
  return headerOf(event, 'authorization')?.trim().split(/\s+/)[1];
}

/**
 * `POST /v1/token`: the CIBA poll, or the same poll by DTR `deferral_code`; on approval, the
 * single-use token, exactly once. With `wait`, a long-poll: held until the decision or `wait`
 * seconds (the function's timeout exceeds the cap). A DTR token exchange
 * (`completion_mode=deferred`) creates the request through the use case of `POST /v1/requests`
 * and answers `authorization_pending` with the deferral code (the auth_req_id, bound to this agent
 * as every poll is), or the token at once when the policy auto-approves.
 */
export function tokenHandler(deps: TokenHandlerDeps) {
  return authenticatedRoute(deps.admission, async (event, agent) => {
    const request = parseTokenEndpointRequest(bodyOf(event, true));
    if (request.kind === 'poll') {
      const token = await deliverToken(deps, agent, request.requestId, request.waitSeconds);
      requestLogger(request.requestId).info('token delivered', { agent });
      return json(200, token);
    }
    // The subject is the caller itself: an agent cannot ask in another workload's name.
    if (request.subjectToken !== bearerOf(event)) {
      throw new StepUpError('invalid_request', 'subject_token must be the bearer token of this call');
    }
    const create = await deps.create();
    const created = await createRequest(create, agent, request.input);
    requestLogger(created.auth_req_id).info('request created', {
      agent,
      action: request.input.action,
      audience: request.input.audience,
      status: created.status,
      deferred: true,
    });
    if (created.status === 'approved') return json(200, await deliverToken(deps, agent, created.auth_req_id));
    throw new StepUpError('authorization_pending', 'the approvers are paged; poll with the deferral_code', {
      deferral_code: created.auth_req_id,
      interval: created.interval,
      expires_in: created.expires_in,
      binding_code: created.binding_code,
    });
  });
}

/**
 * The create ports of this container, built on the first DTR (a failed build is retried by the
 * next). `import()` keeps Cedar (its bindings read and compile a 4.2 MB wasm module) out of this
 * bundle's `require`: esbuild evaluates a dynamically imported module only when the import runs.
 */
const lazyCreateDeps = onceUnlessFailed(async (): Promise<CreateRequestDeps> => {
  const { cedarPolicyFromCompiledSet } = await import('../adapters/cedar/compiled-policy-set');
  return envCreateRequest('token', cedarPolicyFromCompiledSet);
});

export const handler = lazyHandler(() =>
  tokenHandler({
    store: tableStore(),
    changes: tableRequestChanges(),
    signer: kmsSigner(),
    clock: systemClock,
    issuer: requireEnv(ENV.tokenIssuer),
    admission: envAdmission(),
    create: lazyCreateDeps,
  }),
);
