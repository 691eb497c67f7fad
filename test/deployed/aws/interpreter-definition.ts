/** The key the rewritten Parameters carry the task's timeout under (removed before the task sees them). */
export const TIMEOUT_KEY = '__standInTimeoutSeconds';

/**
 * Step Functions' default task timeout is 99999999 s, i.e. none; the interpreter's setTimeout
 * cannot go past 2^31-1 ms (Node fires a longer one at once), so the longest it can wait stands in.
 */
const STEP_FUNCTIONS_DEFAULT_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

interface TaskState {
  Type: string;
  Parameters?: Record<string, unknown>;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Retry?: unknown[];
  Resource?: string;
}

/** A state machine definition as the interpreter will run it, plus what the stand-in needs to know per state. */
export interface PreparedDefinition {
  readonly definition: { States: Record<string, TaskState> };
  /** State names that have a `Retry` (each gets the retry interval override). */
  readonly retryingStates: readonly string[];
  /** Each Task state's `Resource`, by state name. */
  readonly taskResources: Readonly<Record<string, string>>;
}

/**
 * Adapts a definition to two differences between aws-local-stepfunctions 3.0 and Step Functions,
 * without changing what it means:
 * - the interpreter evaluates `TimeoutSecondsPath` against the rendered `Parameters`, Step
 *   Functions against the state input: the path moves into Parameters (evaluated against the state
 *   input there) and the timeout path then reads it back from the rendered value;
 * - the interpreter's default task timeout is 60 s, Step Functions' is 99999999 s (none).
 * Top-level states only (the stack's workflow has no Map or Parallel).
 */
export function prepareDefinition(original: unknown): PreparedDefinition {
  const definition = structuredClone(original) as { States: Record<string, TaskState> };
  const retryingStates: string[] = [];
  const taskResources: Record<string, string> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Map' || state.Type === 'Parallel')
      throw new Error(`state ${name}: ${state.Type} states are not modelled by the Step Functions stand-in`);
    if (state.Retry) retryingStates.push(name);
    if (state.Type !== 'Task') continue;
    taskResources[name] = state.Resource ?? '';
    if (state.TimeoutSecondsPath && state.Parameters) {
      state.Parameters = { ...state.Parameters, [`${TIMEOUT_KEY}.$`]: state.TimeoutSecondsPath };
      state.TimeoutSecondsPath = `$.${TIMEOUT_KEY}`;
    } else if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
      state.TimeoutSeconds = STEP_FUNCTIONS_DEFAULT_TIMEOUT_SECONDS;
    }
  }
  return { definition, retryingStates, taskResources };
}
