import type { RequestStore } from '../lambdas/ports/request-store';
import type { Workflow } from '../lambdas/ports/workflow';

/**
 * Step Functions keeps executions across restarts; the local interpreter keeps them in memory. So
 * that a restart loses nothing, every request whose workflow had not finished gets a new execution
 * with the time it had left (at least 1 s). They are read from the index of open requests
 * (`RequestStore.listUnfinishedWorkflows`), so a restart reads what is unfinished, not the history.
 * The workflow's steps are idempotent: AwaitApproval does not page again when the message exists,
 * and a request decided meanwhile flows on from Expire.
 * @returns the ids resumed
 */
export async function resumeExecutions(
  store: RequestStore,
  workflow: Workflow,
  now: Date,
): Promise<string[]> {
  const resumed: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listUnfinishedWorkflows(cursor);
    for (const request of page.items) {
      const remaining = Math.ceil((Date.parse(request.expiresAt) - now.getTime()) / 1000);
      await workflow.start({
        request_id: request.id,
        approval_timeout_seconds: Math.max(1, remaining),
        ...(request.escalateTo ? { escalate_to: request.escalateTo } : {}),
      });
      resumed.push(request.id);
    }
    cursor = page.cursor;
  } while (cursor);
  return resumed;
}
