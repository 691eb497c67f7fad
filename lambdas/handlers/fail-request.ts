import { tableStore } from '../adapters/aws/table-clients';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { requestLogger } from '../adapters/logger';
import { requestIdOf, type StepEvent } from '../adapters/workflow/step-event';
import { auditableErrorName, failRequest, type FailResult } from '../domain/requests/fail-request';
import { systemClock, type Clock } from '../ports/clock';
import type { RequestStore } from '../ports/request-store';

/**
 * Workflow step `RecordFailure`: Expire or IssueGrant failed for good; the request becomes FAILED
 * (unless it already has its outcome), so the agent's poll ends instead of waiting forever.
 */
export function failRequestHandler(deps: { readonly store: RequestStore; readonly clock: Clock }) {
  return async (event: StepEvent): Promise<FailResult> => {
    const requestId = requestIdOf(event);
    const result = await failRequest(deps, requestId, event.error);
    // The error name only, as audited: the failure's cause can hold a stack trace.
    requestLogger(requestId).warn('workflow step failed', {
      error_name: auditableErrorName(event.error),
      ...result,
    });
    return result;
  };
}

export const handler = lazyHandler(() => failRequestHandler({ store: tableStore(), clock: systemClock }));
