import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { Api, testConfig, useTestRuntime } from './support';

const AWS_TARGET = {
  'aws:prod-data': {
    roleArn: 'arn:aws:iam::111122223333:role/stepup-prod-data',
    actions: ['dynamodb:DeleteTable'],
  },
};

describe('what an agent can ask for', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  useTestRuntime((started) => ({ runtime, api, agent } = started), testConfig({ awsTargets: AWS_TARGET }));

  const items = async () =>
    (
      await runtime.dynamo.client.send(
        new ScanCommand({ TableName: runtime.dynamo.tableName, ConsistentRead: true }),
      )
    ).Items ?? [];

  it('refuses an action the policy schema does not declare as 400 invalid_request naming the field, storing nothing', async () => {
    const before = await items();
    const response = await api.postJson(
      '/v1/requests',
      {
        action: 'db:Teleport',
        resource: 'prod/orders',
        audience: 'orders-db',
        justification: 'move the table somewhere else',
      },
      agent,
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: 'invalid_request',
      error_description: expect.stringMatching(
        /^action is not one the policy schema declares; it declares: /,
      ),
    });
    expect(response.body.error_description).toContain('db:DropTable');
    expect(response.body.error_description).not.toContain('db:Teleport');
    expect(await items()).toEqual(before);
  });

  it('lists every declared action and the audiences the config knows', async () => {
    const response = await api.get('/v1/elevation-options', agent);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      agent: 'deploy-bot',
      actions: [
        'db:DeleteRows',
        'db:DropTable',
        'db:RestoreSnapshot',
        'deploy:Deploy',
        'dynamodb:DeleteTable',
        'logs:Read',
        'payments:Transfer',
        'secrets:Rotate',
      ].map((action) => ({ action })),
      audiences: [{ audience: 'aws:prod-data', kind: 'aws', actions: ['dynamodb:DeleteTable'] }],
    });
  });

  it('for a resource, says what each action needs: alone, whose approval and how many, or never', async () => {
    const response = await api.get('/v1/elevation-options?resource=prod%2Forders&audience=orders-db', agent);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      agent: 'deploy-bot',
      resource: 'prod/orders',
      audience: 'orders-db',
    });
    const byAction = Object.fromEntries(
      (response.body.actions as { action: string }[]).map((option) => [option.action, option]),
    );
    expect(byAction['logs:Read']).toEqual({
      action: 'logs:Read',
      decision: 'auto_approve',
      policies: ['read-logs'],
      max_token_ttl_seconds: 900,
    });
    expect(byAction['db:DropTable']).toMatchObject({
      decision: 'step_up',
      policies: ['drop-prod-table'],
      approver_groups: [['db-owners']],
      quorum: 1,
    });
    expect(byAction['secrets:Rotate']).toMatchObject({
      decision: 'step_up',
      approver_groups: [['security']],
      quorum: 2,
    });
    expect(byAction['payments:Transfer']).toMatchObject({
      decision: 'deny',
      policies: ['no-agent-payments'],
    });
  });

  it('marks actions an AWS audience cannot take, and refuses bad query parameters with 400', async () => {
    const arn = 'arn:aws:dynamodb:eu-west-1:111122223333:table/orders';
    const aws = await api.get(
      `/v1/elevation-options?resource=${encodeURIComponent(arn)}&audience=aws%3Aprod-data`,
      agent,
    );
    const byAction = Object.fromEntries(
      (aws.body.actions as { action: string }[]).map((option) => [option.action, option]),
    );
    expect(byAction['dynamodb:DeleteTable']).toMatchObject({ decision: 'step_up' });
    expect(byAction['db:DropTable']).toMatchObject({ error: 'invalid_request' });

    for (const query of ['?colour=blue', '?resource=a%3Cb', `?audience=${'x'.repeat(300)}`]) {
      const bad = await api.get(`/v1/elevation-options${query}`, agent);
      expect(bad.status, query).toBe(400);
      expect(bad.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
      expect(JSON.stringify(bad.body)).not.toContain('blue');
    }
  });

  it('needs the workload token', async () => {
    expect((await api.get('/v1/elevation-options')).status).toBe(401);
  });
});
