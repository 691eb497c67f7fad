import './polyfills';
import { randomBytes } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { StepEvent } from '../lambdas/adapters/workflow/step-event';
import type { FailResult } from '../lambdas/domain/requests/fail-request';
import type { ApprovalOutcome, TaskHandover, Workflow, WorkflowInput } from '../lambdas/ports/workflow';
import { StepSlots } from './step-slots';

/** The Lambda handlers behind the workflow's task states, by state name. */
export interface WorkflowStepHandlers {
  readonly AwaitApproval: (event: StepEvent) => Promise<void>;
  /** Escalate runs the AwaitApproval Lambda too, with `escalate_to` in its payload. */
  readonly Expire: (event: StepEvent) => Promise<ApprovalOutcome>;
  readonly RecordFailure: (event: StepEvent) => Promise<FailResult>;
  readonly NotifyOutcome: (event: StepEvent) => Promise<void>;
}

/**
 * Retries wait this long locally, whatever the definition's backoff says: a retried step fails or
 * heals at once (tests need no clock), and a local fault is not a throttled AWS service.
 */
const LOCAL_RETRY_INTERVAL_MS = 0;

/**
 * How many step handlers run at once, as a Lambda concurrency limit would have it. A restart
 * resumes every pending request's execution together; without a limit their steps flood the
 * process's one event loop and DynamoDB client, and the API answers only once they are through.
 */
const STEP_CONCURRENCY = 16;

type JsonValue = Parameters<StateMachine['run']>[0];

/** A handler's result as the interpreter's JSON type (`undefined` becomes `null`, as Lambda would). */
async function asJson(result: Promise<unknown>): Promise<JsonValue> {
  return ((await result) ?? null) as JsonValue;
}

interface Waiter {
  readonly requestId: string;
  readonly resolve: (outcome: ApprovalOutcome) => void;
}

/** A `.waitForTaskToken` payload as the ASL's Parameters render it. */
interface CallbackParameters {
  readonly Payload: StepEvent;
}

/**
 * {@link Workflow} that runs the state machine definition CDK synthesizes, in process, with
 * aws-local-stepfunctions. Task states call the same handler functions the Lambdas export. The
 * interpreter has no `.waitForTaskToken`: each wait gets a fresh token in a registry that
 * {@link sendTaskSuccess} settles, which is what Step Functions does for the deployed Slack function.
 */
export class LocalWorkflow implements Workflow {
  private readonly machine: StateMachine;
  private readonly waiters = new Map<string, Waiter>();
  private readonly running = new Map<
    string,
    { readonly done: Promise<unknown>; readonly abort: () => void }
  >();

  constructor(
    /** The ASL this workflow executes, exactly as given. */
    readonly definition: object,
    private readonly steps: WorkflowStepHandlers,
    private readonly onError: (requestId: string, error: unknown) => void = () => undefined,
    /** Told each state an execution enters, in order: a Standard workflow bills one transition per state. */
    private readonly onStateEntered?: (requestId: string, state: string) => void,
  ) {
    // The definition is CDK's, with placeholder Lambda ARNs that local overrides replace. The
    // interpreter annotates what it is given (QueryLanguage), so it gets a copy.
    this.machine = new StateMachine(
      structuredClone(definition) as ConstructorParameters<typeof StateMachine>[0],
      {
        validationOptions: { checkArn: false },
      },
    );
  }

  /** Per running execution: settles once its first wait has begun (AwaitApproval ran) or it ended. */
  private readonly begun = new Map<
    string,
    { readonly promise: Promise<void>; readonly resolve: () => void }
  >();

  /** Resolves once the request's execution has run its first AwaitApproval (its task token is stored) or ended. */
  async waitBegun(requestId: string): Promise<void> {
    await this.begun.get(requestId)?.promise;
  }

  async start(input: WorkflowInput): Promise<void> {
    if (this.running.has(input.request_id)) return;
    let resolveBegun = () => {};
    const begun = new Promise<void>((resolve) => (resolveBegun = resolve));
    this.begun.set(input.request_id, { promise: begun, resolve: resolveBegun });
    const step =
      (name: Exclude<keyof WorkflowStepHandlers, 'AwaitApproval'>) =>
      (payload: JsonValue): Promise<JsonValue> =>
        asJson(this.track<unknown>(() => this.steps[name](payload as unknown as StepEvent)));
    const callback = (parameters: JsonValue) =>
      asJson(this.awaitCallback(input, parameters as unknown as CallbackParameters));
    // Every task state of the definition, by name; Escalate is AwaitApproval's Lambda again.
    const taskStates = {
      AwaitApproval: callback,
      Escalate: callback,
      Expire: step('Expire'),
      RecordFailure: step('RecordFailure'),
      NotifyOutcome: step('NotifyOutcome'),
    };
    const execution = this.machine.run(
      { ...input },
      {
        noThrowOnAbort: true,
        // The interpreter needs `$$.Task.Token` to render Parameters; each wait swaps in its own token.
        context: {
          Execution: { Name: input.request_id, Input: { ...input }, StartTime: new Date().toISOString() },
          Task: { Token: 'replaced-per-wait' },
        },
        overrides: {
          taskResourceLocalHandlers: taskStates,
          retryIntervalOverrides: Object.fromEntries(
            Object.keys(taskStates).map((state) => [state, LOCAL_RETRY_INTERVAL_MS]),
          ),
        },
      },
    );
    if (this.onStateEntered)
      void this.reportStates(input.request_id, execution.eventLogs, this.onStateEntered);
    const done = execution.result
      .catch((error: unknown) => this.onError(input.request_id, error))
      .finally(() => {
        resolveBegun();
        this.begun.delete(input.request_id);
        this.running.delete(input.request_id);
        for (const [token, waiter] of this.waiters)
          if (waiter.requestId === input.request_id) this.waiters.delete(token);
      });
    this.running.set(input.request_id, { done, abort: execution.abort });
  }

  async sendTaskSuccess(taskToken: string, outcome: ApprovalOutcome): Promise<TaskHandover> {
    const waiter = this.waiters.get(taskToken);
    // As Step Functions answers TaskDoesNotExist/TaskTimedOut: the wait finished, timed out or never was.
    if (!waiter) return 'gone';
    this.waiters.delete(taskToken);
    this.taskSuccesses++;
    waiter.resolve(outcome);
    return 'resumed';
  }

  /** How many SendTaskSuccess calls resumed an execution (tests of exactly-once). */
  taskSuccesses = 0;

  async stop(requestId: string): Promise<void> {
    this.running.get(requestId)?.abort();
  }

  /** Resolves when every running execution has finished (tests and shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.running.values()].map((execution) => execution.done));
  }

  /**
   * Aborts every running execution (shutdown) and waits for the step handlers already running, so
   * none of them writes after the store has closed. Requests stay as stored; a restart resumes them.
   */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const execution of this.running.values()) execution.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly slots = new StepSlots(STEP_CONCURRENCY);
  private stopping = false;

  /**
   * Runs a step handler in a free slot and remembers it until it settles (see {@link stopAll}).
   * A step still queued when the workflow stops never runs: the store is about to close.
   */
  private track<T>(handler: () => Promise<T>): Promise<T> {
    const step = this.slots.run(() =>
      this.stopping ? Promise.reject(new Error('the local workflow is stopping')) : handler(),
    );
    this.inFlight.add(step);
    void step.finally(() => this.inFlight.delete(step)).catch(() => undefined);
    return step;
  }

  private async reportStates(
    requestId: string,
    events: AsyncGenerator<{ readonly type: string; readonly state?: { readonly name: string } }>,
    onStateEntered: (requestId: string, state: string) => void,
  ): Promise<void> {
    for await (const event of events) {
      if (event.type === 'StateEntered' && event.state) onStateEntered(requestId, event.state.name);
    }
  }

  /** Executions still running. */
  get activeExecutions(): number {
    return this.running.size;
  }

  private awaitCallback(input: WorkflowInput, parameters: CallbackParameters): Promise<ApprovalOutcome> {
    // The interpreter resolves TimeoutSecondsPath against the rendered Parameters, where Step
    // Functions uses the state input. It reads it from this same object right after calling us, so
    // the value from the execution input is placed where it looks. The definition stays CDK's.
    Object.assign(parameters, { approval_timeout_seconds: input.approval_timeout_seconds });
    const token = `local-task-${randomBytes(16).toString('base64url')}`;
    const outcome = new Promise<ApprovalOutcome>((resolve) => {
      this.waiters.set(token, { requestId: input.request_id, resolve });
    });
    const step = this.track(() => this.steps.AwaitApproval({ ...parameters.Payload, task_token: token }));
    void step.catch(() => undefined).finally(() => this.begun.get(input.request_id)?.resolve());
    return step.then(() => outcome);
  }
}
