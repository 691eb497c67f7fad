import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import {
  synthesizeWorkflowDefinition,
  type StateMachineDefinition,
} from '../../local/synthesized-definition';
import { PROJECT_ROOT } from '../../lib/step-up-function';
import { LAMBDA_SERVICE_ERRORS, RETRY_BUDGET } from '../../lib/workflow-retry';
import { config, definitionFromTemplate, synthesized } from './template';

// asl-validator ships no type declarations; this is the part of its API the test uses.
type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
const validateAsl = createRequire(import.meta.url)('asl-validator') as AslValidator;

type State = { Type: string; Next?: string; End?: boolean; Default?: string; [key: string]: unknown };

/** The states an execution visits when `$.approval.decision` is `decision`. */
function pathFor(definition: StateMachineDefinition, decision: string): string[] {
  const states = definition.States as Record<string, State>;
  const visited: string[] = [];
  let name: string | undefined = definition.StartAt;
  while (name !== undefined) {
    if (visited.length > 20) throw new Error(`loop: ${visited.join(' → ')}`);
    visited.push(name);
    const state: State | undefined = states[name];
    if (!state) throw new Error(`missing state ${name}`);
    if (state.Type === 'Choice') {
      const choices = state.Choices as { Variable: string; StringEquals?: string; Next: string }[];
      const match = choices.find((c) => c.Variable === '$.approval.decision' && c.StringEquals === decision);
      name = match?.Next ?? state.Default;
    } else {
      name = state.End ? undefined : state.Next;
    }
  }
  return visited;
}

describe('approval workflow', () => {
  const fromTemplate = definitionFromTemplate();
  const states = fromTemplate.States as Record<string, State>;

  it('is a Standard state machine with events-only logging, tracing and an execution timeout', () => {
    synthesized().template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
    expect(fromTemplate.TimeoutSeconds).toBe(7 * 24 * 3600);
  });

  it('has exactly the state names the local runtime maps', () => {
    expect(Object.keys(states).sort()).toEqual([
      'AwaitApproval',
      'CanEscalate',
      'Escalate',
      'Expire',
      'NotifyOutcome',
      'RecordFailure',
    ]);
    expect(fromTemplate.StartAt).toBe('AwaitApproval');
  });

  it('waits for a task token with a per-request timeout that leads to Expire', () => {
    const wait = states.AwaitApproval;
    expect(wait?.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(wait?.TimeoutSecondsPath ?? wait?.TimeoutSeconds).toBe('$.approval_timeout_seconds');
    expect(wait?.Parameters).toMatchObject({
      Payload: { 'request_id.$': '$.request_id', 'task_token.$': '$$.Task.Token' },
    });
    expect(wait?.ResultPath).toBe('$.approval');
    expect(wait?.Catch).toEqual([
      { ErrorEquals: ['States.Timeout'], Next: 'CanEscalate', ResultPath: '$.timeout' },
      { ErrorEquals: ['States.ALL'], Next: 'Expire', ResultPath: '$.failure' },
    ]);
    expect(states.CanEscalate).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.escalate_to', IsPresent: true, Next: 'Escalate' }],
      Default: 'Expire',
    });
    expect(states.Escalate).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSecondsPath: '$.approval_timeout_seconds',
      Next: 'NotifyOutcome',
      Parameters: { Payload: { 'escalate_to.$': '$.escalate_to', 'task_token.$': '$$.Task.Token' } },
    });
    expect((states.Escalate?.Catch as { Next: string }[]).map((c) => c.Next)).toEqual(['Expire', 'Expire']);
    expect(states.Expire).toMatchObject({ Next: 'NotifyOutcome', ResultPath: '$.approval' });
  });

  const lambdaTasks = Object.entries(states).filter(([, state]) => state.Type === 'Task');

  it('retries every Lambda task: Lambda service faults first, then any task failure, with bounded backoff', () => {
    expect(lambdaTasks.map(([name]) => name).sort()).toEqual([
      'AwaitApproval',
      'Escalate',
      'Expire',
      'NotifyOutcome',
      'RecordFailure',
    ]);
    for (const [name, state] of lambdaTasks) {
      expect(state.Retry, name).toEqual([
        {
          ErrorEquals: [...LAMBDA_SERVICE_ERRORS],
          IntervalSeconds: 1,
          MaxAttempts: 4,
          BackoffRate: 2,
          MaxDelaySeconds: 8,
          JitterStrategy: 'FULL',
        },
        {
          ErrorEquals: ['States.TaskFailed'],
          IntervalSeconds: 2,
          MaxAttempts: 3,
          BackoffRate: 2,
          MaxDelaySeconds: 8,
          JitterStrategy: 'FULL',
        },
      ]);
    }
    expect(LAMBDA_SERVICE_ERRORS).toEqual(
      expect.arrayContaining([
        'Lambda.ServiceException',
        'Lambda.AWSLambdaException',
        'Lambda.SdkClientException',
        'Lambda.TooManyRequestsException',
      ]),
    );
  });

  it('documents the retry budget it has', () => {
    expect(RETRY_BUDGET).toEqual({ invocations: 8, backoffSeconds: 29 });
    const docs = readFileSync(join(PROJECT_ROOT, 'docs', 'architecture.md'), 'utf8');
    expect(docs).toContain(`${RETRY_BUDGET.invocations} invocations`);
    expect(docs).toContain(`${RETRY_BUDGET.backoffSeconds} s of backoff`);
  });

  it('sends a request that Expire could not finish to RecordFailure, then NotifyOutcome', () => {
    const toRecordFailure = [{ ErrorEquals: ['States.ALL'], Next: 'RecordFailure', ResultPath: '$.failure' }];
    expect(states.Expire?.Catch).toEqual(toRecordFailure);
    // Only the error name goes to the Lambda: the failure's Cause can hold a stack trace.
    expect(states.RecordFailure).toMatchObject({
      Next: 'NotifyOutcome',
      ResultPath: null,
      Parameters: { 'request_id.$': '$.request_id', 'error.$': '$.failure.Error' },
    });
    // The last resorts have no Catch: if they fail, the execution fails (and the alarm fires).
    expect(states.RecordFailure?.Catch).toBeUndefined();
    expect(states.NotifyOutcome?.Catch).toBeUndefined();
    expect(states.NotifyOutcome?.End).toBe(true);
    // Every Catch leads somewhere that ends in NotifyOutcome; none loops back.
    const targets = lambdaTasks.flatMap(([, state]) =>
      ((state.Catch ?? []) as { Next: string }[]).map((c) => c.Next),
    );
    expect(new Set(targets)).toEqual(new Set(['CanEscalate', 'Expire', 'RecordFailure']));
  });

  it('takes two states (two billed transitions) for an approved or denied request: the click wrote the grant', () => {
    expect(pathFor(fromTemplate, 'APPROVED')).toEqual(['AwaitApproval', 'NotifyOutcome']);
    expect(pathFor(fromTemplate, 'DENIED')).toEqual(['AwaitApproval', 'NotifyOutcome']);
  });

  it('is valid ASL', () => {
    // The validator annotates the object it is given, so it gets a copy.
    const result = validateAsl(structuredClone(fromTemplate));
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('is what synthesizeWorkflowDefinition hands the local runtime', () => {
    expect(synthesizeWorkflowDefinition(config)).toEqual(fromTemplate);
  });
});
