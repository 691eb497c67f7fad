import { tableStore } from '../adapters/aws/table-clients';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { requestLogger } from '../adapters/logger';
import { requestIdOf, type StepEvent } from '../adapters/workflow/step-event';
import { expireRequest } from '../domain/requests/expire-request';
import { systemClock, type Clock } from '../ports/clock';
import type { RequestStore } from '../ports/request-store';
import type { ApprovalOutcome } from '../ports/workflow';

/** Workflow step `Expire`: the approval window closed; returns the request's final decision. */
export function expireRequestHandler(deps: { readonly store: RequestStore; readonly clock: Clock }) {
  return async (event: StepEvent): Promise<ApprovalOutcome> => {
    const requestId = requestIdOf(event);
    const outcome = await expireRequest(deps, requestId);
    requestLogger(requestId).info('approval window closed', { decision: outcome.decision });
    return outcome;
  };
}

export const handler = lazyHandler(() => expireRequestHandler({ store: tableStore(), clock: systemClock }));
