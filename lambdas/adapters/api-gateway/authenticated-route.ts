import type { AgentAdmission } from '../../domain/agents/agent-admission';
import { StepUpError } from '../../domain/errors';
import { logger } from '../logger';
import { callerOf, claimsOf, type HttpEvent, type HttpResult } from './http-event';
import { httpRoute } from './http-route';

/**
 * A route behind the workload JWT: the caller is admitted (config `agents.admit`) before the route
 * runs, so no authenticated route can skip the check. The route gets the admitted caller's `sub`;
 * anyone else is answered `403 unknown_agent` and logged by `sub` only (never the token).
 */
export function authenticatedRoute(
  admission: AgentAdmission,
  route: (event: HttpEvent, caller: string) => Promise<HttpResult>,
): (event: HttpEvent) => Promise<HttpResult> {
  return httpRoute(async (event) => {
    const caller = callerOf(event);
    if (!admission.admits(claimsOf(event))) {
      logger.warn('workload not admitted', { sub: caller, route: event.routeKey, audit: true });
      throw new StepUpError(
        'unknown_agent',
        'this workload identity is not admitted to stepup; an operator must add it to agents.admit in the stepup config',
      );
    }
    return route(event, caller);
  });
}
