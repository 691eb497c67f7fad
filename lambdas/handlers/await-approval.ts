import { envConfig } from '../adapters/env-config';
import { digestBoard, tableStore } from '../adapters/aws/table-clients';
import { taskResponder } from '../adapters/aws/workflow-clients';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { secretBackedNotifier } from '../adapters/aws/slack-session';
import { requestLogger } from '../adapters/logger';
import { requestIdOf, type StepEvent } from '../adapters/workflow/step-event';
import { awaitApproval, type AwaitApprovalDeps } from '../domain/requests/await-approval';
import { escalateApproval } from '../domain/votes/escalate-approval';
import { systemClock } from '../ports/clock';

/**
 * Workflow steps `AwaitApproval` and `Escalate` (`.waitForTaskToken`): store the token, then page
 * the approvers, or with `escalate_to` the escalation group; a request decided already completes
 * the step's own task.
 */
export function awaitApprovalHandler(deps: AwaitApprovalDeps) {
  return async (event: StepEvent): Promise<void> => {
    const requestId = requestIdOf(event);
    if (!event.task_token) throw new Error('AwaitApproval payload has no task_token');
    if (event.escalate_to) {
      await escalateApproval(deps, requestId, event.task_token, event.escalate_to);
      requestLogger(requestId).info('escalated', { group: event.escalate_to });
      return;
    }
    await awaitApproval(deps, requestId, event.task_token);
    requestLogger(requestId).info('approvers notified');
  };
}

export const handler = lazyHandler(() => {
  const notifier = secretBackedNotifier('awaitApproval');
  return awaitApprovalHandler({
    store: tableStore(),
    notifier,
    config: envConfig(),
    clock: systemClock,
    workflow: taskResponder(),
    digest: { board: digestBoard(), notifier },
  });
});
