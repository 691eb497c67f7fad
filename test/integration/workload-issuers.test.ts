/**
 * Several workload-identity issuers at once, through the whole local stack, verified as the Lambda
 * authorizer verifies (`WorkloadTokenVerifier`): GitHub Actions (the sample's) and a SPIRE OIDC
 * discovery provider issuing SPIFFE JWT-SVIDs, each with its own audience, each admit rule bound to
 * its issuer. The dev issuer is not admitted, as in AWS.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { parseConfig } from '../../lambdas/domain/config/config';
import { SpireOidcProvider } from '../helpers/spire-oidc-provider';
import { Api, testConfig } from './support';

const GITHUB = 'https://token.actions.githubusercontent.com';
const REFUNDS = 'spiffe://example.org/ns/payments/sa/refunds';
const SPIFFE_AUDIENCE = 'stepup-spiffe';

describe('several workload issuers: a SPIFFE agent end to end', () => {
  let spire: SpireOidcProvider;
  let runtime: LocalRuntime;
  let api: Api;
  beforeAll(async () => {
    spire = await SpireOidcProvider.start();
    const sample = testConfig();
    runtime = await startLocalRuntime({
      memory: true,
      port: 0,
      env: {},
      admitDevIdentities: false,
      config: parseConfig({
        ...JSON.parse(JSON.stringify(sample)),
        auth: { issuers: [...sample.auth.issuers, { issuer: spire.issuer, audience: [SPIFFE_AUDIENCE] }] },
        agents: {
          admit: [
            ...sample.agents.admit.map((rule) => ({ ...rule, issuer: GITHUB })),
            {
              name: 'refunds',
              team: 'payments',
              owners: ['U0JUDY'],
              subPattern: 'spiffe://example.org/ns/payments/*',
              issuer: spire.issuer,
            },
          ],
        },
      }),
    });
    api = new Api(runtime);
  });
  afterAll(async () => {
    await runtime?.stop();
    await spire?.stop();
  });

  const storedItems = async () =>
    (await runtime.dynamo.client.send(new ScanCommand({ TableName: runtime.dynamo.tableName }))).Count;

  it('verifies the JWT-SVID against the discovered keys and lets the policies see the agent’s team', async () => {
    const svid = await spire.svid(REFUNDS, SPIFFE_AUDIENCE);
    // payments-restore-staging permits only principal.team == "payments": the registry reached Cedar.
    const created = await api.postJson(
      '/v1/requests',
      {
        action: 'db:RestoreSnapshot',
        resource: 'staging/payments-db',
        audience: 'orders-db',
        justification: 'restore staging after the load test',
      },
      svid,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const stored = await runtime.store.get(created.body.auth_req_id as string);
    expect(stored?.agent).toBe(REFUNDS);
    expect(stored?.requirements.policies).toEqual(['payments-restore-staging']);
    // Discovery, then the keys, once: later calls verify against the cached keys.
    await api.get(
      `/v1/requests/${String(created.body.auth_req_id)}`,
      await spire.svid(REFUNDS, SPIFFE_AUDIENCE),
    );
    expect(spire.fetched).toEqual(['/.well-known/openid-configuration', '/keys']);
  });

  it('refuses an SVID for another issuer’s audience with 401, naming what it must be for', async () => {
    const response = await api.get(
      '/v1/requests/AAAAAAAAAAAAAAAAAAAAAAAA',
      await spire.svid(REFUNDS, 'stepup'),
    );
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      error: 'invalid_token',
      error_description: `the workload token is for another audience; it must be for ${SPIFFE_AUDIENCE}`,
    });
  });

  it('an unadmitted SPIFFE id, or an admitted sub from another issuer, never reaches policy or storage', async () => {
    const before = await storedItems();
    const stranger = await spire.svid('spiffe://example.org/ns/other/sa/x', SPIFFE_AUDIENCE);
    // The dev issuer is trusted (it verifies) but admits nobody here: a valid token, the wrong issuer.
    const impostor = await runtime.devToken(REFUNDS);
    for (const bearer of [stranger, impostor]) {
      const refused = await api.postJson(
        '/v1/requests',
        {
          action: 'db:RestoreSnapshot',
          resource: 'staging/payments-db',
          audience: 'orders-db',
          justification: 'x',
        },
        bearer,
      );
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe('unknown_agent');
    }
    expect(await storedItems()).toBe(before);
  });
});
