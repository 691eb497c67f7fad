import { randomBytes } from 'node:crypto';
import { AwsError } from '../../../local/aws/aws-error';

/** Where a token's task stands; Step Functions answers each differently. */
type TokenState = 'waiting' | 'timedOut' | 'closed';

interface TaskWait {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  state: TokenState;
  readonly settle: (outcome: { output: unknown } | { error: string; cause: string }) => void;
}

/** An opaque token shaped like Step Functions' (base64, starting `AQ`), unguessable. */
function newTaskToken(): string {
  return `AQ${randomBytes(480).toString('base64')}`;
}

/** The `.waitForTaskToken` tasks of all executions: issued tokens and what `SendTask*` does with them. */
export class TaskTokens {
  private readonly waits = new Map<string, TaskWait>();

  /** Issues a token for a task that waits; the promise settles on SendTaskSuccess/Failure. */
  issue(executionArn: string, stateMachineArn: string): { token: string; outcome: Promise<unknown> } {
    const token = newTaskToken();
    const outcome = new Promise<unknown>((resolve, reject) => {
      this.waits.set(token, {
        executionArn,
        stateMachineArn,
        state: 'waiting',
        settle: (result) => {
          if ('output' in result) resolve(result.output);
          else reject(Object.assign(new Error(result.cause), { name: result.error }));
        },
      });
    });
    // A SendTaskFailure can arrive before the task awaits the outcome; that is not an unhandled rejection.
    outcome.catch(() => undefined);
    return { token, outcome };
  }

  /** The task of a waiting token, for authorization. @throws AwsError as Step Functions answers a token nothing waits on. */
  waiting(token: unknown): TaskWait {
    const wait = typeof token === 'string' ? this.waits.get(token) : undefined;
    if (!wait) throw new AwsError('InvalidToken', 'Invalid Token');
    if (wait.state === 'timedOut') throw new AwsError('TaskTimedOut', 'Task Timed Out');
    if (wait.state === 'closed') throw new AwsError('TaskDoesNotExist', 'Task Does Not Exist');
    return wait;
  }

  /** Resumes the task; later calls with the same token get `TaskDoesNotExist`. */
  settle(token: string, result: { output: unknown } | { error: string; cause: string }): void {
    const wait = this.waiting(token);
    wait.state = 'closed';
    wait.settle(result);
  }

  /** The interpreter timed the task out: later calls get `TaskTimedOut`. */
  timedOut(token: string): void {
    const wait = this.waits.get(token);
    if (wait?.state === 'waiting') wait.state = 'timedOut';
  }

  /** The execution ended: every token it still held is closed. */
  closeExecution(executionArn: string): void {
    for (const wait of this.waits.values())
      if (wait.executionArn === executionArn && wait.state === 'waiting') wait.state = 'closed';
  }

  /** Tokens tasks are waiting on right now (a suite can check none leaks into logs). */
  waitingTokens(): string[] {
    return [...this.waits].filter(([, wait]) => wait.state === 'waiting').map(([token]) => token);
  }
}
