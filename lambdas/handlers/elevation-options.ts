import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { json } from '../adapters/api-gateway/http-event';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { envAccessEvaluation } from '../adapters/env-access-evaluation';
import { parseElevationOptionsQuery } from '../api/schemas/elevation-options';
import type { AgentAdmission } from '../domain/agents/agent-admission';
import type { CreateRequestDeps } from '../domain/requests/create-request';
import { listElevationOptions } from '../domain/policy/elevation-options';

/**
 * `GET /v1/elevation-options`: the actions the policy schema declares and, for the resource asked
 * about, what the policy would decide for the caller; the audiences the config knows. Nothing is
 * stored or paged.
 */
export function elevationOptionsHandler(
  deps: Pick<CreateRequestDeps, 'policy' | 'awsTargets'> & { readonly admission: AgentAdmission },
) {
  return authenticatedRoute(deps.admission, async (event, caller) =>
    json(
      200,
      await listElevationOptions(deps, caller, parseElevationOptionsQuery(event.queryStringParameters)),
    ),
  );
}

export const handler = lazyHandler(() => elevationOptionsHandler(envAccessEvaluation()));
