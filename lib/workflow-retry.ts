import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/**
 * Faults of the Lambda service itself (throttling, an internal error, the invoke call failing), not
 * of our code: the same invocation is likely to succeed a moment later.
 */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
] as const;

/** Lambda service faults: retried first, quickly and a few times (full jitter spreads a throttled burst). */
export const SERVICE_RETRY: sfn.RetryProps = {
  errors: [...LAMBDA_SERVICE_ERRORS],
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxAttempts: 4,
  maxDelay: Duration.seconds(8),
  jitterStrategy: sfn.JitterType.FULL,
};

/**
 * Any other failure of the task (`States.TaskFailed` matches every error but `States.Timeout`): the
 * function threw, e.g. DynamoDB or Slack had a bad moment. Every step is idempotent, so running it
 * again is safe; a fault that persists past these attempts goes to the state's Catch.
 */
export const TASK_RETRY: sfn.RetryProps = {
  errors: [sfn.Errors.TASKS_FAILED],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 3,
  maxDelay: Duration.seconds(8),
  jitterStrategy: sfn.JitterType.FULL,
};

/** The retriers of every Lambda task state, in evaluation order (the first whose errors match wins). */
export const LAMBDA_TASK_RETRIES: readonly sfn.RetryProps[] = [SERVICE_RETRY, TASK_RETRY];

/** The longest a retrier can wait in total between its attempts (jitter only shortens the waits). */
export function worstCaseBackoffSeconds(retry: sfn.RetryProps): number {
  const interval = retry.interval?.toSeconds() ?? 1;
  const cap = retry.maxDelay?.toSeconds() ?? Infinity;
  let total = 0;
  for (let attempt = 0; attempt < (retry.maxAttempts ?? 3); attempt++) {
    total += Math.min(cap, interval * (retry.backoffRate ?? 2) ** attempt);
  }
  return total;
}

/**
 * The retry budget of one Lambda task state: each retrier counts its own attempts, so in the worst
 * case a state runs 1 + 4 + 3 = 8 times and waits 1+2+4+8 + 2+4+8 = 29 s in between. With the
 * function timeout (10 s) that bounds a failing state at under two minutes before its Catch (or, for
 * RecordFailure and NotifyOutcome, the execution's failure) — docs/architecture.md quotes these.
 */
export const RETRY_BUDGET = {
  /** Invocations of one state, first attempt included. */
  invocations: 1 + LAMBDA_TASK_RETRIES.reduce((sum, retry) => sum + (retry.maxAttempts ?? 3), 0),
  /** Seconds spent waiting between them, at most. */
  backoffSeconds: LAMBDA_TASK_RETRIES.reduce((sum, retry) => sum + worstCaseBackoffSeconds(retry), 0),
} as const;

/** Adds the house retriers to a Lambda task state. */
export function retryLambdaTask(task: sfn.TaskStateBase): void {
  for (const retry of LAMBDA_TASK_RETRIES) task.addRetry(retry);
}
