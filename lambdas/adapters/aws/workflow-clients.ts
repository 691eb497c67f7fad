import { SFNClient } from '@aws-sdk/client-sfn';
import { ENV, requireEnv } from '../env';
import { StepFunctionsTaskResponder, StepFunctionsWorkflow } from './sfn-workflow';
import { traced } from './tracing';
import { SDK_CLIENT_OPTIONS } from './sdk-client-options';

/** The workflow on the state machine named by `STATE_MACHINE_ARN`. */
export function stateMachineWorkflow(): StepFunctionsWorkflow {
  return new StepFunctionsWorkflow(
    traced(new SFNClient({ ...SDK_CLIENT_OPTIONS })),
    requireEnv(ENV.stateMachineArn),
  );
}

/**
 * Resumes waiting workflow tasks (the Slack function's only Step Functions permission). One attempt
 * per call: the callers retry themselves (the vote's hand-over with its own short backoff, within
 * Slack's 3 s; AwaitApproval through the workflow's retry), so SDK retries would only multiply them.
 */
export function taskResponder(): StepFunctionsTaskResponder {
  return new StepFunctionsTaskResponder(traced(new SFNClient({ maxAttempts: 1, ...SDK_CLIENT_OPTIONS })));
}
