import type { RequestStatus } from '../domain/requests/approval-request';

/** Input of one state machine execution (a contract with the synthesized ASL). */
export interface WorkflowInput {
  readonly request_id: string;
  readonly approval_timeout_seconds: number;
  /** Group to page when the approval timeout passes, from the policy's `@escalate_to`. */
  readonly escalate_to?: string;
}

/** What the approval callback reports back to the waiting workflow: the request's final status. */
export interface ApprovalOutcome {
  readonly decision: Exclude<RequestStatus, 'PENDING'>;
}

/**
 * What became of a task result: `resumed` the waiting task, or found the task `gone` (it finished,
 * timed out, or its execution ended), which no retry can change.
 */
export type TaskHandover = 'resumed' | 'gone';

/** The approval workflow: Step Functions in AWS, the same ASL run in-process locally. */
export interface Workflow {
  /** Starts one execution named after the request id (idempotent per name). */
  start(input: WorkflowInput): Promise<void>;
  /**
   * Resumes the execution waiting on `taskToken`.
   * @throws on a fault worth retrying (throttling, the network); a task that is gone is `gone`, not an error
   */
  sendTaskSuccess(taskToken: string, outcome: ApprovalOutcome): Promise<TaskHandover>;
  /** Stops the request's execution (cancel, kill switch); a finished or unknown one is fine. */
  stop(requestId: string): Promise<void>;
}
