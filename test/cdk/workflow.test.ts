import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import {
  synthesizeWorkflowDefinition,
  type StateMachineDefinition,
} from '../../local/synthesized-definition';
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
      'Decide',
      'Escalate',
      'Expire',
      'IssueGrant',
      'NotifyOutcome',
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
      Next: 'Decide',
      Parameters: { Payload: { 'escalate_to.$': '$.escalate_to', 'task_token.$': '$$.Task.Token' } },
    });
    expect((states.Escalate?.Catch as { Next: string }[]).map((c) => c.Next)).toEqual(['Expire', 'Expire']);
    expect(wait?.Retry).toContainEqual(
      expect.objectContaining({ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2 }),
    );
    expect(states.Expire).toMatchObject({ Next: 'Decide', ResultPath: '$.approval' });
  });

  it('retries NotifyOutcome on task failures (Slack may be flaky)', () => {
    expect(states.NotifyOutcome?.Retry).toContainEqual(
      expect.objectContaining({ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 3, BackoffRate: 2 }),
    );
    expect(states.NotifyOutcome?.End).toBe(true);
  });

  it('takes at most 5 states for an approved request, and skips IssueGrant otherwise', () => {
    const approved = pathFor(fromTemplate, 'APPROVED');
    expect(approved).toEqual(['AwaitApproval', 'Decide', 'IssueGrant', 'NotifyOutcome']);
    expect(approved.length).toBeLessThanOrEqual(5);
    expect(pathFor(fromTemplate, 'DENIED')).toEqual(['AwaitApproval', 'Decide', 'NotifyOutcome']);
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
