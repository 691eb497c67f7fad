import { InProcessRequestChanges } from '../../lambdas/adapters/local/in-process-request-changes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import { Es256TokenVerifier } from '../../lambdas/adapters/es256-token-verifier';
import { LocalKeySigner } from '../../lambdas/adapters/local/local-key-signer';
import { deliverToken } from '../../lambdas/domain/tokens/deliver-token';
import { AWS_CREDENTIALS_TOKEN_TYPE } from '../../lambdas/contract';
import {
  exchangeAwsCredentials,
  type ExchangeAwsCredentialsDeps,
} from '../../lambdas/domain/tokens/exchange-aws-credentials';
import { introspectToken } from '../../lambdas/domain/tokens/introspect-token';
import { updateRequest } from '../../lambdas/domain/requests/update-request';
import type { AwsSession, AwsSessionIssuer, AwsSessionRequest } from '../../lambdas/ports/aws-sessions';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../local/local-dynamodb';
import { expectStepUpError, fixedClock, pendingRequest, rejectionOf } from './support/fixtures';

const ISSUER = 'https://stepup.test';
const AUDIENCE = 'aws:prod-data';
const ROLE = 'arn:aws:iam::123456789012:role/stepup-target';
const TABLE = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders';

/** STS behind the port: records what it was asked; can fail the next calls (as a throttled STS would). */
class RecordingSessions implements AwsSessionIssuer {
  readonly asked: AwsSessionRequest[] = [];
  failures = 0;
  async assumeRole(request: AwsSessionRequest): Promise<AwsSession> {
    this.asked.push(request);
    if (this.failures > 0) {
      this.failures--;
      throw new Error('Throttling: Rate exceeded');
    }
    return {
      accessKeyId: `ASIA${String(this.asked.length).padStart(16, '0')}`,
      secretAccessKey: 'secret',
      sessionToken: 'session',
      expiration: new Date(Date.now() + 900_000),
    };
  }
}

describe('exchangeAwsCredentials (real store on dynalite, LocalKeySigner, Es256TokenVerifier)', () => {
  let db: LocalDynamoDb;
  let store: DynamoDbRequestStore;
  let signer: LocalKeySigner;
  let deps: ExchangeAwsCredentialsDeps & { sessions: RecordingSessions };
  // jose checks iat/nbf/exp against the real time, so this clock is frozen at "now".
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const clock = fixedClock(now);

  beforeAll(async () => {
    db = await startLocalDynamoDb();
    store = new DynamoDbRequestStore(db.client, db.tableName);
    signer = await LocalKeySigner.open();
    deps = {
      store,
      verifier: new Es256TokenVerifier(signer, ISSUER),
      clock,
      sessions: new RecordingSessions(),
      targets: { [AUDIENCE]: { roleArn: ROLE } },
      defaultRegion: 'us-east-1',
    };
  });

  afterAll(async () => {
    await db.close();
  });

  /** An approved DeleteTable request whose token was just delivered to `agent`. */
  async function deliveredToken(
    overrides: { audience?: string; action?: string; resource?: string } = {},
  ): Promise<{ token: string; id: string; agent: string }> {
    const audience = overrides.audience ?? AUDIENCE;
    const request = pendingRequest({
      agent: 'repo:example-org/app:ref:refs/heads/main',
      audience,
      action: overrides.action ?? 'dynamodb:DeleteTable',
      resource: overrides.resource ?? TABLE,
      status: 'APPROVED',
      decidedAt: now.toISOString(),
      votes: [{ user: 'U0ALICE', team: 'T0TEST', decision: 'approve', at: now.toISOString() }],
      grant: {
        jti: `jti-${Math.random().toString(36).slice(2)}`,
        ttlSeconds: 120,
        issuedAt: now.toISOString(),
        pickupBy: new Date(now.getTime() + 600_000).toISOString(),
        authorizationDetails: [
          {
            type: 'stepup_action',
            actions: [overrides.action ?? 'dynamodb:DeleteTable'],
            identifier: overrides.resource ?? TABLE,
            locations: [audience],
          },
        ],
      },
    });
    await store.create(request);
    const { access_token } = await deliverToken(
      // No wait is asked for: nothing ever waits on the changes.
      { store, signer, clock, issuer: ISSUER, changes: new InProcessRequestChanges() },
      request.agent,
      request.id,
    );
    return { token: access_token, id: request.id, agent: request.agent };
  }

  it('answers credentials for exactly the approved call, asks STS with the expected parameters, and audits the issue', async () => {
    const { token, id, agent } = await deliveredToken();
    const answer = await exchangeAwsCredentials(deps, agent, token);
    expect(answer).toMatchObject({
      issued_token_type: AWS_CREDENTIALS_TOKEN_TYPE,
      token_type: 'N_A',
      access_key_id: expect.stringMatching(/^ASIA/),
      secret_access_key: 'secret',
      session_token: 'session',
      region: 'eu-west-1',
    });
    const asked = deps.sessions.asked.at(-1);
    expect(asked).toMatchObject({
      roleArn: ROLE,
      roleSessionName: id,
      sourceIdentity: expect.stringMatching(/^repo-example-org-app-ref-refs-heads-main\.[0-9a-f]{16}$/),
      durationSeconds: 900,
      tags: {
        'stepup-request': id,
        'stepup-agent': agent,
        'stepup-policy': expect.any(String),
        'stepup-approvers': expect.stringContaining('U0ALICE'),
      },
    });
    expect(JSON.parse(asked?.policy ?? '')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'StepUpApprovedCall',
          Effect: 'Allow',
          Action: 'dynamodb:DeleteTable',
          Resource: TABLE,
          // The token's 120 s lifetime, not STS's 900 s.
          Condition: { DateLessThan: { 'aws:CurrentTime': new Date(now.getTime() + 120_000).toISOString() } },
        },
      ],
    });
    const stored = await store.get(id);
    expect(stored?.consumption).toMatchObject({ type: 'token_consumed', actor: `agent:${agent}` });
    const issued = stored?.events.find((event) => event.type === 'credentials_issued');
    expect(issued?.detail).toMatchObject({ role_arn: ROLE, access_key_id: answer.access_key_id });
    expect(JSON.stringify(stored)).not.toContain('secret');
  });

  it('refuses a second exchange, and an introspection after it', async () => {
    const { token, agent } = await deliveredToken();
    await exchangeAwsCredentials(deps, agent, token);
    expectStepUpError(await rejectionOf(exchangeAwsCredentials(deps, agent, token)), 'invalid_request', 400);
    expect(await introspectToken(deps, AUDIENCE, token)).toStrictEqual({ active: false });
  });

  it('refuses an exchange after introspection, and asks STS nothing', async () => {
    const { token, agent } = await deliveredToken();
    expect((await introspectToken(deps, AUDIENCE, token)).active).toBe(true);
    const asked = deps.sessions.asked.length;
    expectStepUpError(await rejectionOf(exchangeAwsCredentials(deps, agent, token)), 'invalid_request', 400);
    expect(deps.sessions.asked).toHaveLength(asked);
  });

  it('refuses another agent, an expired token, a revoked one and garbage, with one answer', async () => {
    const other = await deliveredToken();
    const expired = await deliveredToken();
    const revoked = await deliveredToken();
    await updateRequest(store, revoked.id, (current) => ({ ...current, revokedAt: now.toISOString() }));
    const later = { ...deps, clock: fixedClock(new Date(now.getTime() + 121_000)) };
    const asked = deps.sessions.asked.length;
    for (const attempt of [
      () => exchangeAwsCredentials(deps, 'someone-else', other.token),
      () => exchangeAwsCredentials(later, expired.agent, expired.token),
      () => exchangeAwsCredentials(deps, revoked.agent, revoked.token),
      () => exchangeAwsCredentials(deps, other.agent, 'not-a-jwt'),
    ]) {
      const error = expectStepUpError(await rejectionOf(attempt()), 'invalid_request', 400);
      expect(error.message).toBe('subject_token is not a valid, unused stepup token issued to you');
    }
    expect(deps.sessions.asked).toHaveLength(asked);
    // The refusals consumed nothing: the right agent still can.
    expect((await exchangeAwsCredentials(deps, other.agent, other.token)).access_key_id).toMatch(/^ASIA/);
  });

  it('answers invalid_target for an audience that is not an AWS target, consuming nothing', async () => {
    const { token, agent } = await deliveredToken({ audience: 'db-admin-api' });
    expectStepUpError(await rejectionOf(exchangeAwsCredentials(deps, agent, token)), 'invalid_target', 400);
    expect((await introspectToken(deps, 'db-admin-api', token)).active).toBe(true);
  });

  it('resumes after a failed STS call instead of losing the approval', async () => {
    const { token, id, agent } = await deliveredToken();
    deps.sessions.failures = 1;
    const failure = expectStepUpError(
      await rejectionOf(exchangeAwsCredentials(deps, agent, token)),
      'temporarily_unavailable',
      503,
    );
    expect(failure.retryAfterSeconds).toBeGreaterThan(0);
    expect(failure.message).not.toContain('Throttling');
    expect((await store.get(id))?.consumedAt).toBeDefined();
    expect((await exchangeAwsCredentials(deps, agent, token)).access_key_id).toMatch(/^ASIA/);
    expectStepUpError(await rejectionOf(exchangeAwsCredentials(deps, agent, token)), 'invalid_request', 400);
  });

  it('resumes after an exchange that crashed between consuming the token and recording the credentials', async () => {
    const { token, id, agent } = await deliveredToken();
    const jti = (await store.get(id))?.delivery?.jti ?? '';
    const crashedAt = new Date(now.getTime() - 31_000);
    expect(
      await store.consumeToken(id, jti, Math.floor(now.getTime() / 1000), {
        type: 'token_consumed',
        at: crashedAt.toISOString(),
        actor: `agent:${agent}`,
        detail: { jti, exchange: 'aws-credentials' },
      }),
    ).toBe(true);
    expect((await exchangeAwsCredentials(deps, agent, token)).access_key_id).toMatch(/^ASIA/);
  });

  it('hands credentials to exactly one of 20 concurrent exchanges, asking STS once', async () => {
    const { token, id, agent } = await deliveredToken();
    const asked = deps.sessions.asked.length;
    const answers = await Promise.allSettled(
      Array.from({ length: 20 }, () => exchangeAwsCredentials(deps, agent, token)),
    );
    expect(answers.filter((answer) => answer.status === 'fulfilled')).toHaveLength(1);
    expect(deps.sessions.asked).toHaveLength(asked + 1);
    const stored = await store.get(id);
    expect(stored?.events.filter((event) => event.type === 'credentials_issued')).toHaveLength(1);
  });
});
