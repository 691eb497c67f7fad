import { Aws, Duration, Fn, Names } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { retryLambdaTask } from './workflow-retry';

/**
 * State names. They are a contract with the local runtime, which maps each task state by name to an
 * in-process handler, so renaming one here breaks `npm start`.
 */
export const WORKFLOW_STATES = {
  awaitApproval: 'AwaitApproval',
  canEscalate: 'CanEscalate',
  escalate: 'Escalate',
  expire: 'Expire',
  recordFailure: 'RecordFailure',
  notifyOutcome: 'NotifyOutcome',
} as const;

/** The Lambda functions behind the workflow's task states. */
export interface ApprovalWorkflowHandlers {
  /** Stores the task token on the request, then posts the Slack message (`.waitForTaskToken`). */
  readonly awaitApproval: lambda.IFunction;
  /** Marks a request that nobody decided in time as expired; returns `{decision}`. */
  readonly expireRequest: lambda.IFunction;
  /** Updates the Slack message (and any agent webhook) with the outcome. */
  readonly notifyOutcome: lambda.IFunction;
  /** Moves a request that Expire could not carry to its outcome to FAILED. */
  readonly failRequest: lambda.IFunction;
}

/** Properties of {@link ApprovalWorkflow}. */
export interface ApprovalWorkflowProps {
  /** The task handlers. */
  readonly handlers: ApprovalWorkflowHandlers;
  /** Retention of the execution log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Upper bound on one execution, whatever the per-request approval timeout says.
   * @default 7 days
   */
  readonly timeout?: Duration;
}

/**
 * The Standard state machine that drives time and sequencing for one request.
 * Input: `{"request_id": string, "approval_timeout_seconds": number, "escalate_to"?: string}`.
 * When the approval window passes and the policy named an escalation group, the request is posted
 * to that group and waits one more window (Escalate, the same Lambda) before it expires.
 *
 * An approved request takes two states (AwaitApproval → NotifyOutcome): Standard bills per
 * transition, so there is deliberately no grant, RecordDenied or Decide state — the click that decides
 * writes the approval with its grant (or the denial) in one conditional write, and every outcome ends
 * the same way, with the Slack message updated.
 *
 * Every Lambda task retries (see `workflow-retry.ts` for the budget). When Expire still
 * fails, RecordFailure moves the request to FAILED and NotifyOutcome shows it, so no execution ends
 * with the agent told `authorization_pending` forever. If RecordFailure or NotifyOutcome fails too,
 * the execution fails (and the failed-executions alarm fires).
 */
export class ApprovalWorkflow extends Construct {
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** Execution log group (events only: execution data would include task tokens). */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApprovalWorkflowProps) {
    super(scope, id);
    const { handlers } = props;
    const requestOnly = sfn.TaskInput.fromObject({ request_id: sfn.JsonPath.stringAt('$.request_id') });

    // Both waits run the AwaitApproval Lambda and wait for a Slack decision, one window each.
    const callback = (stateName: string, extra: Record<string, string> = {}) =>
      new tasks.LambdaInvoke(this, stateName, {
        stateName,
        lambdaFunction: handlers.awaitApproval,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({
          request_id: sfn.JsonPath.stringAt('$.request_id'),
          task_token: sfn.JsonPath.taskToken,
          ...extra,
        }),
        taskTimeout: sfn.Timeout.at('$.approval_timeout_seconds'),
        resultPath: '$.approval',
        retryOnServiceExceptions: false,
      });
    const awaitApproval = callback(WORKFLOW_STATES.awaitApproval);
    const escalate = callback(WORKFLOW_STATES.escalate, {
      escalate_to: sfn.JsonPath.stringAt('$.escalate_to'),
    });

    const expire = new tasks.LambdaInvoke(this, WORKFLOW_STATES.expire, {
      stateName: WORKFLOW_STATES.expire,
      lambdaFunction: handlers.expireRequest,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      payload: requestOnly,
      resultPath: '$.approval',
    });

    const notifyOutcome = new tasks.LambdaInvoke(this, WORKFLOW_STATES.notifyOutcome, {
      stateName: WORKFLOW_STATES.notifyOutcome,
      lambdaFunction: handlers.notifyOutcome,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      payload: requestOnly,
      resultPath: sfn.JsonPath.DISCARD,
    });
    // Expire failed for good: the request must still reach an outcome the agent sees.
    // Only the error name goes on; the cause can hold a stack trace.
    const recordFailure = new tasks.LambdaInvoke(this, WORKFLOW_STATES.recordFailure, {
      stateName: WORKFLOW_STATES.recordFailure,
      lambdaFunction: handlers.failRequest,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({
        request_id: sfn.JsonPath.stringAt('$.request_id'),
        error: sfn.JsonPath.stringAt('$.failure.Error'),
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const toRecordFailure = { errors: [sfn.Errors.ALL], resultPath: '$.failure' };
    expire.addCatch(recordFailure, toRecordFailure);
    recordFailure.next(notifyOutcome);

    // Every Lambda task retries. Slack and DynamoDB have bad minutes, and each step is idempotent.
    // A failure that outlasts the retries: AwaitApproval/Escalate → Expire, Expire → RecordFailure;
    // RecordFailure or NotifyOutcome → the execution fails (the alarm's case).
    for (const task of [awaitApproval, escalate, expire, recordFailure, notifyOutcome]) {
      retryLambdaTask(task);
    }

    // Paging can fail (Slack down, a bad channel): after the retries, close the request rather than
    // leave it pending with nobody asked. Expire keeps any decision that was made meanwhile.
    const canEscalate = new sfn.Choice(this, WORKFLOW_STATES.canEscalate, {
      stateName: WORKFLOW_STATES.canEscalate,
    })
      .when(sfn.Condition.isPresent('$.escalate_to'), escalate)
      .otherwise(expire);
    awaitApproval.addCatch(canEscalate, { errors: [sfn.Errors.TIMEOUT], resultPath: '$.timeout' });
    awaitApproval.addCatch(expire, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
    escalate.addCatch(expire, { errors: [sfn.Errors.TIMEOUT], resultPath: '$.timeout' });
    escalate.addCatch(expire, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
    // Every decision is already stored with all it entails (a grant with an approval): only Slack is left.
    expire.next(notifyOutcome);
    awaitApproval.next(notifyOutcome);
    escalate.next(notifyOutcome);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // The /aws/vendedlogs/ prefix keeps Step Functions from growing the account-wide
      // CloudWatch Logs resource policy, which has a hard size limit.
      // The stack id's UUID makes the name differ per stack instance: the group is retained, so a fixed
      // name would make the next deploy after a rollback or `cdk destroy` fail with "already exists".
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 80 })}-${stackUuid()}`,
      retention: props.logRetention,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(awaitApproval),
      timeout: props.timeout ?? Duration.days(7),
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        level: sfn.LogLevel.ALL,
        // Execution data would put task tokens (bearer credentials for SendTaskSuccess) in the logs.
        includeExecutionData: false,
      },
    });
  }
}

/** The UUID at the end of `AWS::StackId`: different for every stack instance, known only at deploy time. */
function stackUuid(): string {
  return Fn.select(2, Fn.split('/', Aws.STACK_ID));
}
