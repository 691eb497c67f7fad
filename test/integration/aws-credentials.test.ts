import { describe, expect, it } from 'vitest';
import { AWS_CREDENTIALS_TOKEN_TYPE } from '../../lambdas/contract';
import type { LocalRuntime } from '../../local/runtime';
import { Api, pollUntilDecided, slackMessage, testConfig, useTestRuntime } from './support';

const AUDIENCE = 'aws:prod-data';
const ROLE = 'arn:aws:iam::123456789012:role/stepup-prod-data';
const TABLE = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders-legacy';
const EXCHANGE = {
  grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  requested_token_type: AWS_CREDENTIALS_TOKEN_TYPE,
};

describe('POST /v1/credentials/aws through the local runtime (STS stand-in on the Query protocol)', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  useTestRuntime((started) => ({ runtime, api, agent } = started), {
    ...testConfig(),
    awsTargets: { [AUDIENCE]: { roleArn: ROLE, actions: ['dynamodb:DeleteTable'] } },
  });

  /** An approved DeleteTable request's token, as the agent collects it. */
  async function approvedToken(): Promise<{ id: string; token: string }> {
    const id = await api.createRequest(agent, {
      action: 'dynamodb:DeleteTable',
      resource: TABLE,
      audience: AUDIENCE,
    });
    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
    const token = (await pollUntilDecided(api, agent, id)).body.access_token as string;
    return { id, token };
  }

  it('exchanges an approved token once for credentials, audited; the token is spent for introspection too', async () => {
    const { id, token } = await approvedToken();
    const answer = await api.postForm('/v1/credentials/aws', { ...EXCHANGE, subject_token: token }, agent);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      issued_token_type: AWS_CREDENTIALS_TOKEN_TYPE,
      token_type: 'N_A',
      access_key_id: expect.stringMatching(/^ASIA[A-Z0-9]{16}$/),
      secret_access_key: expect.any(String),
      session_token: expect.any(String),
      region: 'eu-west-1',
    });
    expect(Date.parse(answer.body.expiration as string)).toBeGreaterThan(Date.now());

    const again = await api.postForm('/v1/credentials/aws', { ...EXCHANGE, subject_token: token }, agent);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_request');
    expect((await api.introspect(await runtime.devToken(AUDIENCE), token)).body).toEqual({ active: false });

    const trail = (await api.get(`/v1/requests/${id}`, agent)).body.events as {
      type: string;
      detail?: object;
    }[];
    expect(trail.map((event) => event.type)).toEqual(
      expect.arrayContaining(['token_delivered', 'token_consumed', 'credentials_issued']),
    );
    expect(trail.find((event) => event.type === 'credentials_issued')?.detail).toMatchObject({
      role_arn: ROLE,
      access_key_id: answer.body.access_key_id,
    });
    expect(JSON.stringify(trail)).not.toContain(answer.body.secret_access_key as string);
  });

  it('refuses a request for an AWS target that is not one IAM action on one exact ARN, before anyone is paged', async () => {
    for (const body of [
      { action: 'db:DropTable', resource: TABLE },
      { action: 'dynamodb:DeleteTable', resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/*' },
      { action: 'dynamodb:DeleteTable', resource: 'arn:aws:dynamodb:eu-west-1:999999999999:table/orders' },
    ]) {
      const answer = await api.postJson(
        '/v1/requests',
        { ...body, audience: AUDIENCE, justification: 'clean up after the migration' },
        agent,
      );
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error).toBe('invalid_request');
      expect(answer.body.error_description).toContain(`${AUDIENCE} is an AWS target`);
    }
  });

  it('answers RFC 8693 errors for a wrong grant type, token type or target, consuming nothing', async () => {
    const { token } = await approvedToken();
    const post = (fields: Record<string, string>) => api.postForm('/v1/credentials/aws', fields, agent);
    expect(
      (await post({ ...EXCHANGE, grant_type: 'client_credentials', subject_token: token })).body.error,
    ).toBe('unsupported_grant_type');
    expect((await post({ ...EXCHANGE, subject_token_type: 'urn:x', subject_token: token })).body.error).toBe(
      'invalid_request',
    );
    expect((await post({ ...EXCHANGE, subject_token: 'not-a-jwt' })).body.error).toBe('invalid_request');
    const otherAgent = await runtime.devToken('other-bot');
    const stolen = await api.postForm(
      '/v1/credentials/aws',
      { ...EXCHANGE, subject_token: token },
      otherAgent,
    );
    expect(stolen.body.error).toBe('invalid_request');
    expect((await post({ ...EXCHANGE, subject_token: token })).status).toBe(200);

    const orders = await api.createRequest(agent);
    await slackMessage(runtime, orders);
    await runtime.click({ requestId: orders, user: 'U0ALICE', decision: 'approve' });
    const ordersToken = (await pollUntilDecided(api, agent, orders)).body.access_token as string;
    const refused = await post({ ...EXCHANGE, subject_token: ordersToken });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_target');
    expect((await api.introspect(await runtime.devToken('orders-db'), ordersToken)).body.active).toBe(true);
  });
});
