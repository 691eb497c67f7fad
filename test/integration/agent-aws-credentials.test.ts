import { describe, expect, it } from 'vitest';
import { InvalidRequestError, StepUpApiError, StepUpClient, abortableSleep } from '../../client/agent';
import type { LocalRuntime } from '../../local/runtime';
import { slackMessage, testConfig, useTestRuntime } from './support';

const AUDIENCE = 'aws:prod-data';
const ROLE = 'arn:aws:iam::123456789012:role/stepup-prod-data';
const TABLE = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders-legacy';

describe('StepUpClient.exchangeForAwsCredentials against the local runtime (STS stand-in)', () => {
  let runtime: LocalRuntime;
  useTestRuntime((started) => ({ runtime } = started), {
    ...testConfig(),
    awsTargets: { [AUDIENCE]: { roleArn: ROLE, actions: ['dynamodb:DeleteTable'] } },
  });

  async function approvedToken(stepup: StepUpClient, action: string, resource: string, audience: string) {
    const request = await stepup.requestElevation({
      action,
      resource,
      audience,
      justification: 'the migration finished; the legacy table is unused',
    });
    await slackMessage(runtime, request.id);
    await runtime.click({ requestId: request.id, user: 'U0ALICE', decision: 'approve' });
    return request.waitForToken();
  }

  async function client(agent: string): Promise<StepUpClient> {
    const token = await runtime.devToken(agent);
    return new StepUpClient({
      baseUrl: runtime.url,
      token,
      sleep: (ms, signal) => abortableSleep(Math.min(ms, 20), signal),
    });
  }

  it('returns SDK-shaped credentials once; a second exchange is an InvalidRequestError', async () => {
    const stepup = await client('client-aws-bot');
    const token = await approvedToken(stepup, 'dynamodb:DeleteTable', TABLE, AUDIENCE);
    const credentials = await stepup.exchangeForAwsCredentials(token);
    expect(credentials).toEqual({
      accessKeyId: expect.stringMatching(/^ASIA[A-Z0-9]{16}$/),
      secretAccessKey: expect.any(String),
      sessionToken: expect.any(String),
      expiration: expect.any(Date),
      region: 'eu-west-1',
    });
    expect(credentials.expiration.getTime()).toBeGreaterThan(Date.now());
    const issued = (await stepup.getStatus(token.requestId)).events.find(
      (e) => e.type === 'credentials_issued',
    );
    expect(issued?.detail).toMatchObject({ access_key_id: credentials.accessKeyId, role_arn: ROLE });

    const again = await stepup.exchangeForAwsCredentials(token.accessToken).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(InvalidRequestError);
    expect(again).toMatchObject({ code: 'invalid_request', status: 400 });
  });

  it('answers invalid_target for a token whose audience is not an AWS target, and leaves it usable', async () => {
    const stepup = await client('client-not-aws-bot');
    const token = await approvedToken(stepup, 'db:DropTable', 'prod/orders', 'orders-db');
    const error = await stepup.exchangeForAwsCredentials(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepUpApiError);
    expect(error).toMatchObject({ code: 'invalid_target', status: 400, requestId: token.requestId });
    expect((await stepup.getStatus(token.requestId)).tokenUsed).toBe(false);
  });
});
