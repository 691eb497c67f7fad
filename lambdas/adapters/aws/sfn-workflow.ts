import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { ApprovalOutcome, TaskHandover, Workflow, WorkflowInput } from '../../ports/workflow';

/** Resumes waiting Step Functions tasks: all the Slack and AwaitApproval functions may do. */
export class StepFunctionsTaskResponder implements Pick<Workflow, 'sendTaskSuccess'> {
  constructor(protected readonly client: SFNClient) {}

  async sendTaskSuccess(taskToken: string, outcome: ApprovalOutcome): Promise<TaskHandover> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(outcome) }));
      return 'resumed';
    } catch (error) {
      // Answers about the task itself: nothing waits on this token any more, and never will.
      if (error instanceof TaskDoesNotExist || error instanceof TaskTimedOut || error instanceof InvalidToken)
        return 'gone';
      throw error;
    }
  }
}

/** {@link Workflow} on a Step Functions Standard state machine; executions are named after the request id. */
export class StepFunctionsWorkflow extends StepFunctionsTaskResponder implements Workflow {
  constructor(
    client: SFNClient,
    private readonly stateMachineArn: string,
  ) {
    super(client);
  }

  async start(input: WorkflowInput): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: input.request_id,
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      // Same name and input is idempotent in Step Functions; a retry after a lost response lands here.
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }

  async stop(requestId: string): Promise<void> {
    // Execution ARNs are the state machine's with `execution` and the execution name.
    const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${requestId}`;
    try {
      await this.client.send(
        new StopExecutionCommand({ executionArn, cause: 'request cancelled or revoked' }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
    }
  }
}
