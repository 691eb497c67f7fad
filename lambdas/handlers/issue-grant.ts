import { tableStore } from '../adapters/aws/table-clients';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { requestLogger } from '../adapters/logger';
import { requestIdOf, type StepEvent } from '../adapters/workflow/step-event';
import { issueGrant } from '../domain/issue-grant';
import { systemClock, type Clock } from '../ports/clock';
import type { RequestStore } from '../ports/request-store';

/** Workflow step `IssueGrant`: the approved action becomes a grant the agent can collect once. */
export function issueGrantHandler(deps: { readonly store: RequestStore; readonly clock: Clock }) {
  return async (event: StepEvent): Promise<void> => {
    const requestId = requestIdOf(event);
    await issueGrant(deps, requestId);
    requestLogger(requestId).info('grant issued');
  };
}

export const handler = lazyHandler(() => issueGrantHandler({ store: tableStore(), clock: systemClock }));
