import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deploy, DROP_TABLE, functionNamed, SAMPLE_AGENT_SUB, Workload, type Deployment } from './deployment';

// A fresh deploy before the operator has put the Slack app's credentials into the secret: the
// request function must say so at once, instead of creating requests nobody is paged for.

let deployment: Deployment;
let agent: Workload;

beforeAll(async () => {
  deployment = await deploy(inject('deployed'), { connectSlack: false });
  agent = new Workload(deployment, SAMPLE_AGENT_SUB);
});

afterAll(async () => {
  await deployment?.stop();
});

describe('a deployed stack whose Slack secret still holds the placeholder', () => {
  it('answers 503 temporarily_unavailable with Retry-After and what to do; stores and starts nothing; counts the metric', async () => {
    const callsBefore = deployment.aws.callLog.calls.length;
    const refused = await agent.postJson('/v1/requests', DROP_TABLE);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.json).toMatchObject({
      error: 'temporarily_unavailable',
      error_description: expect.stringContaining('put-secret-value'),
    });
    const changes = deployment.aws.callLog.calls
      .slice(callsBefore)
      .filter((call) => /^dynamodb:(Put|Update|Delete)Item$|^states:StartExecution$/.test(call.action));
    expect(changes).toEqual([]);
    expect(deployment.lambdas.logOf(functionNamed(deployment, 'CreateRequest'))).toContain(
      '"SlackPlaceholderSecret":1',
    );
  });

  it('accepts requests once the operator has filled the secret (a new container)', async () => {
    deployment.connectSlack();
    deployment.lambdas.stop();
    const created = await agent.postJson('/v1/requests', DROP_TABLE);
    expect(created.status).toBe(202);
  });
});
