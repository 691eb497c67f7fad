import {
  DescribeExecutionCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_TEMPLATE } from './fixture-template';
import { startAccount, type RunningAccount } from './start-account';

/** What the fixture's Lambda saw, and a way to wait until it is called with a task token. */
const invocations: { functionArn: string; payload: unknown }[] = [];
const tokenWaiters: ((token: string) => void)[] = [];
const nextTaskToken = (): Promise<string> => new Promise((resolve) => tokenWaiters.push(resolve));

let aws: RunningAccount;
let sfn: SFNClient;

beforeAll(async () => {
  aws = await startAccount(FIXTURE_TEMPLATE, {
    invokeLambda: async (functionArn, payload) => {
      invocations.push({ functionArn, payload });
      const token = (payload as { token?: string }).token;
      if (token) tokenWaiters.shift()?.(token);
      return { done: true };
    },
  });
  sfn = new SFNClient({
    endpoint: aws.endpoints.SFN,
    region: aws.account.env.region,
    credentials: aws.principals.forFunction('Worker'),
    maxAttempts: 1,
  });
});
afterAll(async () => {
  sfn?.destroy();
  await aws?.close();
});

describe('Step Functions stand-in', () => {
  it('runs the template definition: a .waitForTaskToken task resumes on SendTaskSuccess', async () => {
    const stateMachineArn = aws.account.ref('Machine');
    const token = nextTaskToken();
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: 'req-1',
        input: JSON.stringify({ id: 'req-1', timeout: 900 }),
      }),
    );
    // Same name and input while running: the same execution, as Step Functions answers.
    const again = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: 'req-1',
        input: JSON.stringify({ id: 'req-1', timeout: 900 }),
      }),
    );
    expect(again.executionArn).toBe(executionArn);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'req-1', input: '{}' })),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });

    const taskToken = await token;
    expect(aws.stepFunctions.taskTokens()).toEqual([taskToken]);
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ decision: 'APPROVED' }) }),
    );
    const result = await aws.stepFunctions.waitForExecution(executionArn!);
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output!)).toEqual({ done: true });
    expect(invocations.at(-1)?.payload).toMatchObject({ answer: { decision: 'APPROVED' } });
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }))).rejects.toMatchObject({
      name: 'TaskDoesNotExist',
    });
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'AQnothing', output: '{}' })),
    ).rejects.toMatchObject({ name: 'InvalidToken' });
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.status).toBe('SUCCEEDED');
    expect(aws.callLog.denied()).toEqual([]);
  });

  it('times a callback task out after TimeoutSecondsPath of the state input', async () => {
    const token = nextTaskToken();
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: aws.account.ref('Machine'),
        name: 'req-2',
        input: JSON.stringify({ id: 'req-2', timeout: 1 }),
      }),
    );
    const taskToken = await token;
    const result = await aws.stepFunctions.waitForExecution(executionArn!);
    expect(result.status).toBe('SUCCEEDED');
    expect(invocations.at(-1)?.payload).toMatchObject({ timedOut: { Error: 'States.Timeout' } });
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }))).rejects.toMatchObject({
      name: expect.stringMatching(/TaskTimedOut|TaskDoesNotExist/),
    });
    expect(aws.stepFunctions.listExecutions().map((e) => e.name)).toEqual(['req-1', 'req-2']);
  });
});
