import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { bodyOf, json } from '../adapters/api-gateway/http-event';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { envAccessEvaluation } from '../adapters/env-access-evaluation';
import { parseAccessEvaluation } from '../api/schemas/access-evaluation';
import { evaluateAccess, type EvaluateAccessDeps } from '../domain/policy/evaluate-access';

/**
 * `POST /access/v1/evaluation` (OpenID AuthZEN): what stepup would decide for one agent, action and
 * resource. Nothing is created or paged.
 */
export function accessEvaluationHandler(deps: EvaluateAccessDeps) {
  return authenticatedRoute(deps.admission, async (event, caller) => {
    const [answer] = await evaluateAccess(deps, caller, [parseAccessEvaluation(bodyOf(event))]);
    return json(200, answer);
  });
}

export const handler = lazyHandler(() => accessEvaluationHandler(envAccessEvaluation()));
