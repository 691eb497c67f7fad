/**
 * Secure-by-default agent admission through the whole local stack, with the dev issuer NOT admitted
 * implicitly (as in AWS, only the config's `agents.admit` counts): a stranger gets 403 unknown_agent
 * on every route behind the workload JWT before anything runs, and nothing is stored.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { Api, slackMessage, testConfig } from './support';
import { registeredAgent } from '../helpers/registered-agent';

const REPO_SUB = 'repo:example-org/example-repo:ref:refs/heads/main';

/** Every operation behind the workload JWT, from the published OpenAPI document. */
const authenticatedOperations = Object.entries(
  (
    JSON.parse(readFileSync(resolve(__dirname, '../../docs/openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    }
  ).paths,
).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([, operation]) => operation.security === undefined)
    .map(([method]) => ({
      method: method.toUpperCase(),
      path: path.replace('{id}', 'AAAAAAAAAAAAAAAAAAAAAAAA'),
    })),
);

describe('admitted agents', () => {
  let runtime: LocalRuntime;
  let api: Api;
  beforeAll(async () => {
    runtime = await startLocalRuntime({
      memory: true,
      port: 0,
      env: {},
      admitDevIdentities: false,
      config: testConfig({
        agents: {
          admit: [
            registeredAgent({ sub: 'deploy-bot' }),
            registeredAgent({ sub: 'orders-db' }),
            registeredAgent({ subPattern: 'repo:example-org/example-repo:*' }),
            registeredAgent({ claims: { repository_owner: 'example-org' } }),
          ],
        },
      }),
    });
    api = new Api(runtime);
  });
  afterAll(() => runtime?.stop());

  const storedItems = async () =>
    (await runtime.dynamo.client.send(new ScanCommand({ TableName: runtime.dynamo.tableName }))).Count;

  it('lists the authenticated routes to check', () => {
    expect(authenticatedOperations.map((o) => `${o.method} ${o.path.split('/')[2]}`)).toEqual(
      expect.arrayContaining([
        'POST requests',
        'GET requests',
        'POST token',
        'POST introspect',
        'POST revoke',
      ]),
    );
  });

  it('a stranger gets 403 unknown_agent on every authenticated route, and nothing is stored', async () => {
    const stranger = await runtime.devToken('repo:stranger/repo:ref:refs/heads/main', {
      repository_owner: 'stranger',
    });
    const before = await storedItems();
    for (const { method, path } of authenticatedOperations) {
      const response = await fetch(`${runtime.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${stranger}`, 'content-type': 'application/json' },
        ...(method === 'GET'
          ? {}
          : { body: '{"action":"logs:Read","resource":"prod/app-logs","audience":"log-api"}' }),
      });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(await response.json(), `${method} ${path}`).toEqual({
        error: 'unknown_agent',
        error_description: expect.stringContaining('agents.admit'),
      });
    }
    expect(await storedItems()).toBe(before);
  });

  it('admits by exact sub, by sub pattern and by claims; resource servers through the same list', async () => {
    for (const agent of [
      await runtime.devToken('deploy-bot'),
      await runtime.devToken(REPO_SUB),
      await runtime.devToken('repo:example-org/other-repo:ref:refs/heads/main', {
        repository_owner: 'example-org',
      }),
    ]) {
      const requestId = await api.createRequest(agent);
      await slackMessage(runtime, requestId);
      expect((await api.get(`/v1/requests/${requestId}`, agent)).status).toBe(200);
    }
    const ordersDb = await runtime.devToken('orders-db');
    expect(await api.introspect(ordersDb, 'not-a-token')).toMatchObject({
      status: 200,
      body: { active: false },
    });
    const lookalike = await runtime.devToken('repo:example-org/example-repo-evil:ref:refs/heads/main');
    expect((await api.get('/v1/requests/AAAAAAAAAAAAAAAAAAAAAAAA', lookalike)).body.error).toBe(
      'unknown_agent',
    );
  });
});
