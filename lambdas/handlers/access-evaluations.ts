import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { bodyOf, json } from '../adapters/api-gateway/http-event';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { envAccessEvaluation } from '../adapters/env-access-evaluation';
import { parseAccessEvaluations } from '../api/schemas/access-evaluation';
import { evaluateAccess, type EvaluateAccessDeps } from '../domain/policy/evaluate-access';

/**
 * `POST /access/v1/evaluations` (OpenID AuthZEN): a batch of evaluations, answered in order as
 * `options.evaluations_semantic` says; without `evaluations`, one evaluation answered as the single
 * endpoint answers. Nothing is created or paged.
 */
export function accessEvaluationsHandler(deps: EvaluateAccessDeps) {
  return authenticatedRoute(deps.admission, async (event, caller) => {
    const parsed = parseAccessEvaluations(bodyOf(event));
    if (!parsed.batch) {
      const [answer] = await evaluateAccess(deps, caller, [parsed.question]);
      return json(200, answer);
    }
    return json(200, { evaluations: await evaluateAccess(deps, caller, parsed.questions, parsed.semantic) });
  });
}

export const handler = lazyHandler(() => accessEvaluationsHandler(envAccessEvaluation()));
