import '../../../local/polyfills';
import { randomUUID } from 'node:crypto';
import {
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { FakeAccount } from './account';
import { AwsError } from '../../../local/aws/aws-error';
import { prepareDefinition, TIMEOUT_KEY, type PreparedDefinition } from './interpreter-definition';
import { startJsonService, type AccountServices, type RunningService } from './json-service';
import type { RoleCredentials } from './principals';
import { TaskTokens } from './task-tokens';

/** Invokes a Lambda function synchronously; rejects with an Error whose `name` is the function's `errorType`. */
export type InvokeLambda = (functionArn: string, payload: unknown) => Promise<unknown>;

/** Options for {@link startStepFunctions}. */
export interface StepFunctionsOptions {
  /** Runs the function a Lambda task state names (part 2 plugs in the Lambda hosts). */
  readonly invokeLambda: InvokeLambda;
  /**
   * Milliseconds every `Retry` waits between attempts, instead of `IntervalSeconds`/`BackoffRate`.
   * @default 0 (retries are immediate: tests must not wait on the clock)
   */
  readonly retryIntervalMs?: number;
}

/** How an execution ended, as `DescribeExecution` reports it. */
export interface ExecutionResult {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** One execution, as `ListExecutions` summarizes it. */
export interface ExecutionSummary {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: 'RUNNING' | ExecutionResult['status'];
}

/** A running Step Functions stand-in, with what a suite waits on. */
export interface RunningStepFunctions extends RunningService {
  /** Resolves when the execution has ended (an event, not a deadline). */
  waitForExecution(executionArn: string): Promise<ExecutionResult>;
  /** Every execution started so far, optionally of one state machine. */
  listExecutions(stateMachineArn?: string): ExecutionSummary[];
  /** Tokens `.waitForTaskToken` tasks are waiting on right now. */
  taskTokens(): string[];
  /**
   * `SendTaskSuccess` for a task of an execution `when` holds for (by execution name) answers
   * `ThrottlingException` and resumes nothing, until the returned function is called.
   */
  throttleTaskSuccess(when: (executionName: string) => boolean): () => void;
}

interface Machine {
  readonly arn: string;
  readonly name: string;
  readonly roleLogicalId: string;
  readonly prepared: PreparedDefinition;
  readonly interpreter: StateMachine;
}

interface Execution {
  readonly arn: string;
  readonly machine: Machine;
  readonly name: string;
  readonly input: string;
  readonly startDate: number;
  stopDate?: number;
  result?: ExecutionResult;
  readonly ended: Promise<ExecutionResult>;
  readonly abort: () => void;
}

const LAMBDA_INVOKE = /^arn:[^:]+:states:::lambda:invoke(\.waitForTaskToken)?$/;
const FUNCTION_ARN = /^arn:[^:]+:lambda:/;

function machinesOf(account: FakeAccount): Machine[] {
  return account.logicalIdsOfType('AWS::StepFunctions::StateMachine').map((logicalId) => {
    const properties = account.resource(logicalId).Properties ?? {};
    const definition = JSON.parse(account.resolveString(properties.DefinitionString)) as unknown;
    const roleArn = account.resolveString(properties.RoleArn);
    const roleLogicalId = account.findLogicalId(roleArn);
    if (!roleLogicalId) throw new Error(`${logicalId}: its role ${roleArn} is not in the template`);
    const prepared = prepareDefinition(definition);
    return {
      arn: account.ref(logicalId),
      name: account.getAtt(logicalId, 'Name'),
      roleLogicalId,
      prepared,
      interpreter: new StateMachine(prepared.definition as unknown as StateMachineDefinition, {
        validationOptions: { checkArn: false },
      }),
    };
  });
}

/** `{Error, Cause}` of a failed execution, from the interpreter's error. */
function failureOf(error: unknown): ExecutionResult {
  if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT' };
  const caught = (error instanceof ExecutionError ? error.cause : error) as
    { name?: string; message?: string } | undefined;
  return {
    status: 'FAILED',
    error: caught?.name ?? 'States.Runtime',
    cause: caught?.message ?? String(error),
  };
}

const epochSeconds = (ms: number): number => ms / 1000;

/**
 * Step Functions stand-in (JSON 1.0, `AWSStepFunctions.<Action>`): `StartExecution` (names unique
 * per state machine, idempotent for the same input while running), `DescribeExecution`,
 * `StopExecution`, `SendTaskSuccess`, `SendTaskFailure`, `SendTaskHeartbeat`. Executions run the
 * template's resolved definition with aws-local-stepfunctions; Lambda task states (function ARN,
 * `lambda:invoke`, `.waitForTaskToken`) call `invokeLambda` after IAM lets the state machine's role
 * `lambda:InvokeFunction`. Callback tasks get a fresh opaque token as `$$.Task.Token`.
 */
export async function startStepFunctions(
  account: FakeAccount,
  services: AccountServices,
  options: StepFunctionsOptions,
): Promise<RunningStepFunctions> {
  const machines = machinesOf(account);
  const executions = new Map<string, Execution>();
  const tokens = new TaskTokens();
  const throttled = new Set<(executionName: string) => boolean>();
  const { partition, region, account: accountId } = account.env;

  const executionArnOf = (machine: Machine, name: string): string =>
    `arn:${partition}:states:${region}:${accountId}:execution:${machine.name}:${name}`;

  /** The state machine's role calling Lambda: authorized and recorded like any other call. */
  const invoke = async (
    machine: Machine,
    principal: RoleCredentials,
    functionArn: string,
    payload: unknown,
  ): Promise<unknown> => {
    const action = 'lambda:InvokeFunction';
    const decision = await services.iam.authorize({ principal, action, resource: functionArn });
    services.callLog.record({
      principal: principal.assumedRoleArn,
      roleLogicalId: machine.roleLogicalId,
      service: 'lambda',
      action,
      resource: functionArn,
      allowed: decision.allowed,
      ...(decision.allowed ? {} : { errorType: 'AccessDeniedException' }),
    });
    if (!decision.allowed) {
      throw Object.assign(
        new Error(
          `User: ${principal.assumedRoleArn} is not authorized to perform: ${action} on resource: ${functionArn}`,
        ),
        { name: 'Lambda.AWSLambdaException' },
      );
    }
    return options.invokeLambda(functionArn, payload);
  };

  const run = (machine: Machine, name: string, input: string): Execution => {
    const arn = executionArnOf(machine, name);
    const principal = services.principals.principalFor(machine.roleLogicalId, randomUUID());
    // The interpreter renders `$$.Task.Token` from the run's context; each callback task swaps this marker for its own token.
    const tokenMarker = `task-token-${randomUUID()}`;
    const handlers: Record<string, (parameters: unknown) => Promise<never>> = {};
    for (const [stateName, resource] of Object.entries(machine.prepared.taskResources)) {
      handlers[stateName] = async (rendered) => {
        const { [TIMEOUT_KEY]: timeoutSeconds, ...parameters } = (rendered ?? {}) as Record<string, unknown>;
        if (FUNCTION_ARN.test(resource))
          return (await invoke(machine, principal, resource, rendered)) as never;
        const match = LAMBDA_INVOKE.exec(resource);
        if (!match)
          throw new Error(
            `state ${stateName}: resource ${resource} is not modelled by the Step Functions stand-in`,
          );
        const functionArn = String(parameters.FunctionName);
        if (!match[1]) {
          const payload = await invoke(machine, principal, functionArn, parameters.Payload);
          return { ExecutedVersion: '$LATEST', Payload: payload ?? null, StatusCode: 200 } as never;
        }
        const { token, outcome } = tokens.issue(arn, machine.arn);
        if (typeof timeoutSeconds === 'number')
          setTimeout(() => tokens.timedOut(token), timeoutSeconds * 1000).unref();
        const payload = JSON.parse(
          JSON.stringify(parameters.Payload ?? null).replaceAll(tokenMarker, token),
        ) as unknown;
        await invoke(machine, principal, functionArn, payload);
        return (await outcome) as never;
      };
    }
    const retryIntervalOverrides = Object.fromEntries(
      machine.prepared.retryingStates.map((state) => [state, options.retryIntervalMs ?? 0]),
    );
    const parsedInput = JSON.parse(input) as Parameters<StateMachine['run']>[0];
    const startDate = Date.now();
    const running = machine.interpreter.run(parsedInput, {
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: arn,
          Name: name,
          Input: parsedInput,
          StartTime: new Date(startDate).toISOString(),
          RoleArn: principal.roleArn,
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
        Task: { Token: tokenMarker },
      },
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
    });
    const execution: Execution = {
      arn,
      machine,
      name,
      input,
      startDate,
      abort: running.abort,
      ended: running.result
        .then(
          (output): ExecutionResult =>
            execution.result ?? { status: 'SUCCEEDED', output: JSON.stringify(output) },
          failureOf,
        )
        .then((result) => {
          execution.result ??= result;
          execution.stopDate ??= Date.now();
          tokens.closeExecution(arn);
          return execution.result;
        }),
    };
    executions.set(arn, execution);
    return execution;
  };

  const machineOf = (arn: unknown): Machine => {
    const machine = machines.find((m) => m.arn === arn);
    if (!machine)
      throw new AwsError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${String(arn).slice(0, 200)}'`,
      );
    return machine;
  };
  const executionOf = (arn: unknown): Execution => {
    const execution = executions.get(String(arn));
    if (!execution)
      throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn).slice(0, 200)}'`);
    return execution;
  };
  const describe = (execution: Execution): Record<string, unknown> => ({
    executionArn: execution.arn,
    stateMachineArn: execution.machine.arn,
    name: execution.name,
    status: execution.result?.status ?? 'RUNNING',
    startDate: epochSeconds(execution.startDate),
    ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
    input: execution.input,
    ...(execution.result?.output !== undefined ? { output: execution.result.output } : {}),
    ...(execution.result?.error !== undefined ? { error: execution.result.error } : {}),
    ...(execution.result?.cause !== undefined ? { cause: execution.result.cause } : {}),
  });

  const service = await startJsonService(
    {
      signingName: 'states',
      iamPrefix: 'states',
      targetPrefix: 'AWSStepFunctions',
      jsonVersion: '1.0',
      handle: async (call) => {
        const { input } = call;
        switch (call.operation) {
          case 'StartExecution': {
            const machine = machineOf(input.stateMachineArn);
            await call.authorize(machine.arn);
            const name = typeof input.name === 'string' ? input.name : randomUUID();
            const executionInput = typeof input.input === 'string' ? input.input : '{}';
            try {
              JSON.parse(executionInput);
            } catch {
              throw new AwsError('InvalidExecutionInput', 'Invalid State Machine Execution Input');
            }
            const existing = executions.get(executionArnOf(machine, name));
            if (existing) {
              // Standard workflows: the same name and input while running is idempotent; anything else is a conflict.
              if (existing.input === executionInput && !existing.result)
                return { executionArn: existing.arn, startDate: epochSeconds(existing.startDate) };
              throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.arn}'`);
            }
            const execution = run(machine, name, executionInput);
            return { executionArn: execution.arn, startDate: epochSeconds(execution.startDate) };
          }
          case 'DescribeExecution': {
            const execution = executionOf(input.executionArn);
            await call.authorize(execution.arn);
            return describe(execution);
          }
          case 'StopExecution': {
            const execution = executionOf(input.executionArn);
            await call.authorize(execution.arn);
            if (!execution.result) {
              execution.result = {
                status: 'ABORTED',
                ...(typeof input.error === 'string' ? { error: input.error } : {}),
                ...(typeof input.cause === 'string' ? { cause: input.cause } : {}),
              };
              execution.stopDate = Date.now();
              execution.abort();
            }
            return { stopDate: epochSeconds(execution.stopDate!) };
          }
          case 'SendTaskSuccess':
          case 'SendTaskFailure':
          case 'SendTaskHeartbeat': {
            const wait = tokens.waiting(input.taskToken);
            await call.authorize(wait.stateMachineArn);
            const executionName = executions.get(wait.executionArn)?.name ?? '';
            if (call.operation === 'SendTaskSuccess' && [...throttled].some((when) => when(executionName)))
              throw new AwsError('ThrottlingException', 'Rate exceeded');
            if (call.operation === 'SendTaskSuccess') {
              let output: unknown;
              try {
                output = JSON.parse(String(input.output));
              } catch {
                throw new AwsError('InvalidOutput', 'Invalid Output');
              }
              tokens.settle(String(input.taskToken), { output });
            } else if (call.operation === 'SendTaskFailure') {
              tokens.settle(String(input.taskToken), {
                error: typeof input.error === 'string' ? input.error : 'States.TaskFailed',
                cause: typeof input.cause === 'string' ? input.cause : '',
              });
            }
            return {};
          }
          default:
            throw new AwsError('UnknownOperationException', '');
        }
      },
    },
    services,
  );

  return {
    ...service,
    waitForExecution: (executionArn) => executionOf(executionArn).ended,
    listExecutions: (stateMachineArn) =>
      [...executions.values()]
        .filter((e) => stateMachineArn === undefined || e.machine.arn === stateMachineArn)
        .map((e) => ({
          executionArn: e.arn,
          stateMachineArn: e.machine.arn,
          name: e.name,
          status: e.result?.status ?? 'RUNNING',
        })),
    taskTokens: () => tokens.waitingTokens(),
    throttleTaskSuccess: (when) => {
      throttled.add(when);
      return () => throttled.delete(when);
    },
    close: async () => {
      for (const execution of executions.values()) if (!execution.result) execution.abort();
      await service.close();
    },
  };
}
