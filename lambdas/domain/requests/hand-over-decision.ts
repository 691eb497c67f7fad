import type { ApprovalOutcome, TaskHandover, Workflow } from '../../ports/workflow';

/**
 * Waits before each retry of a hand-over. Short: the Slack click that decides waits for it, and Slack
 * wants its answer within 3 s. A hand-over that still fails is not lost (see {@link handOverDecision}).
 */
export const HANDOVER_RETRY_DELAYS_MS: readonly number[] = [100, 300, 700];

/** What came of handing a decision to the workflow; `deferred`: it failed, the reconciler completes it. */
export type HandoverResult = TaskHandover | 'deferred';

/**
 * Resumes the workflow task waiting on `taskToken` with the request's decision, retrying faults with
 * backoff. It never throws: the decision is already stored, so a hand-over that fails for good
 * leaves a decided request the reconciler carries through (grant, Slack) on its next run.
 */
export async function handOverDecision(
  workflow: Pick<Workflow, 'sendTaskSuccess'>,
  taskToken: string,
  outcome: ApprovalOutcome,
  delaysMs: readonly number[] = HANDOVER_RETRY_DELAYS_MS,
): Promise<HandoverResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await workflow.sendTaskSuccess(taskToken, outcome);
    } catch {
      const delay = delaysMs[attempt];
      if (delay === undefined) return 'deferred';
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
