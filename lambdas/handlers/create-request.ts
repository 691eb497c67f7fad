import { bodyOf, callerOf, headerOf, json } from '../adapters/api-gateway/http-event';
import { httpRoute } from '../adapters/api-gateway/http-route';
import { envConfig } from '../adapters/env-config';
import { idempotencyStore, tableStore } from '../adapters/aws/table-clients';
import { stateMachineWorkflow } from '../adapters/aws/workflow-clients';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { requireEnv } from '../adapters/env';
import { cedarPolicyFromCompiledSet } from '../adapters/cedar/compiled-policy-set';
import { JoseHumanVerifier } from '../adapters/jose-human-verifier';
import { requestLogger } from '../adapters/logger';
import { parseCreateRequest } from '../domain/create-request';
import { createRequestIdempotently, type IdempotentCreateDeps } from '../domain/idempotent-create';
import { systemClock } from '../ports/clock';

/** `POST /v1/requests`: an agent asks to perform one action; policy says alone, with approval, or never. */
export function createRequestHandler(deps: IdempotentCreateDeps) {
  return httpRoute(async (event) => {
    const agent = callerOf(event);
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

export const handler = lazyHandler(() => {
  const config = envConfig();
  const human = config.humanIdentity;
  return createRequestHandler({
    store: tableStore(),
    idempotency: idempotencyStore(),
    workflow: stateMachineWorkflow(),
    // Validated at synth, pre-parsed once per container, never per request.
    policy: cedarPolicyFromCompiledSet(config, requireEnv('STEPUP_POLICY_SET')),
    clock: systemClock,
    humanVerifier: human ? new JoseHumanVerifier({ ...human, keys: human.jwksUri }) : undefined,
  });
});
