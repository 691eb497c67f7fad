import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { definitionFromTemplate } from '../cdk/template';
import { Api, slackMessage, testConfig } from './support';

describe('the local runtime executes the state machine CDK synthesizes', () => {
  let runtime: LocalRuntime;
  /** The states each execution entered, by request id: one billed transition each in Step Functions. */
  const statesEntered = new Map<string, string[]>();

  beforeAll(async () => {
    // No definition passed: the runtime synthesizes it from the CDK app, as `npm start` does.
    runtime = await startLocalRuntime({
      memory: true,
      port: 0,
      config: testConfig(),
      env: {},
      onStateEntered: (requestId, state) =>
        statesEntered.set(requestId, [...(statesEntered.get(requestId) ?? []), state]),
    });
  });
  afterAll(() => runtime.stop());

  it('runs the template definition, with only Lambda ARNs resolved to local placeholders', () => {
    // definitionFromTemplate resolves the CloudFormation template independently of the runtime's code.
    expect(runtime.workflow.definition).toEqual(definitionFromTemplate());
  });

  it('takes two state transitions for an approved request, and the click alone made the token collectable', async () => {
    const api = new Api(runtime);
    const agent = await runtime.devToken('deploy-bot');
    const requestId = await api.createRequest(agent);
    await slackMessage(runtime, requestId);
    expect((await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' })).status).toBe(200);
    // The grant was written by the click's own write, before the workflow ran another state.
    expect((await runtime.store.get(requestId))?.grant).toBeDefined();
    await runtime.workflow.settled();
    expect(statesEntered.get(requestId)).toEqual(['AwaitApproval', 'NotifyOutcome']);
    expect((await api.poll(agent, requestId)).status).toBe(200);
  });
});
