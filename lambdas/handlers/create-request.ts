import { ownerNotices } from '../adapters/aws/owner-notices';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { bodyOf, headerOf, json } from '../adapters/api-gateway/http-event';
import { envConfig } from '../adapters/env-config';
import { idempotencyStore, tableHistory } from '../adapters/aws/table-clients';
import { stateMachineWorkflow } from '../adapters/aws/workflow-clients';
import { SlackSecretStatus } from '../adapters/aws/slack-secret-status';
import { ENV, requireEnv } from '../adapters/env';
import { envAdmission } from '../adapters/env-admission';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import type { AgentAdmission } from '../domain/agents/agent-admission';
import { cedarPolicyFromCompiledSet } from '../adapters/cedar/compiled-policy-set';
import { JoseHumanVerifier } from '../adapters/jose-human-verifier';
import { requestLogger } from '../adapters/logger';
import { parseCreateRequest } from '../api/schemas/create-request';
import { createRequestIdempotently, type IdempotentCreateDeps } from '../domain/requests/idempotent-create';
import { systemClock } from '../ports/clock';
import type { PagingReadiness } from '../ports/paging-readiness';

/** What `POST /v1/requests` needs besides the use case's ports. */
export interface CreateRequestHandlerDeps extends IdempotentCreateDeps {
  readonly admission: AgentAdmission;
  /** Checked before anything is created. @default always ready (locally Slack credentials always exist) */
  readonly paging?: PagingReadiness;
}

/** `POST /v1/requests`: an agent asks to perform one action; policy says alone, with approval, or never. */
export function createRequestHandler(deps: CreateRequestHandlerDeps) {
  return authenticatedRoute(deps.admission, async (event, agent) => {
    // A request nobody can be paged for would only expire silently; refuse it up front instead.
    await deps.paging?.assertReady();
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

/**
 * The create use case's ports in AWS, from the environment; shared with `POST /v1/token`, whose
 * DTR token exchange creates requests through the same use case.
 * @param fn the calling function's name, for the Slack placeholder report
 */
export function createRequestDeps(fn: string): CreateRequestHandlerDeps {
  const config = envConfig();
  const human = config.humanIdentity;
  const { store, history, limits } = tableHistory();
  return {
    store,
    history,
    gate: { limits, limitsConfig: config.limits },
    idempotency: idempotencyStore(),
    workflow: stateMachineWorkflow(),
    // Validated at synth, pre-parsed once per container, never per request.
    policy: cedarPolicyFromCompiledSet(config, requireEnv(ENV.policySet)),
    clock: systemClock,
    humanVerifier: human ? new JoseHumanVerifier({ ...human, keys: human.jwksUri }) : undefined,
    awsTargets: config.awsTargets,
    admission: envAdmission(config),
    owners: ownerNotices(fn, config.agents),
    paging: new SlackSecretStatus(new SecretsManagerClient({}), requireEnv(ENV.slackSecretArn)),
  };
}

export const handler = lazyHandler(() => createRequestHandler(createRequestDeps('createRequest')));
