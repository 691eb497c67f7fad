import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StsSessionIssuer } from '../../../lambdas/adapters/aws/sts-session-issuer';
import type { AwsSessionRequest } from '../../../lambdas/ports/aws-sessions';
import { FakeAccount } from './account';
import { CallLog } from './call-log';
import { FIXTURE_TARGET_ROLE_ARN, FIXTURE_TEMPLATE } from './fixture-template';
import { IamEvaluator } from './iam';
import { Principals, type RoleCredentials } from './principals';
import type { RunningStsStandIn } from '../../../local/aws/sts-stand-in';
import { startSts } from './sts';

const account = FakeAccount.fromTemplate(FIXTURE_TEMPLATE);
const principals = new Principals(account);
const callLog = new CallLog();
const services = { region: account.env.region, principals, iam: new IamEvaluator(account), callLog };
const exchanger = principals.forFunction('Exchanger');
const reader = principals.forFunction('Reader');
/** The README's trust policy: only the exchange function's role, and only with a SourceIdentity. */
const trustPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: exchanger.roleArn },
      Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
      Condition: { StringLike: { 'sts:SourceIdentity': '*' } },
    },
    { Effect: 'Allow', Principal: { AWS: exchanger.roleArn }, Action: 'sts:TagSession' },
  ],
};
let sts: RunningStsStandIn;

const issuer = (credentials: RoleCredentials) =>
  new StsSessionIssuer(
    new STSClient({ endpoint: sts.endpoint, region: account.env.region, credentials, maxAttempts: 1 }),
  );

const REQUEST: AwsSessionRequest = {
  roleArn: FIXTURE_TARGET_ROLE_ARN,
  roleSessionName: 'req-AbC_123',
  sourceIdentity: 'repo-org-app.0123456789abcdef',
  policy: JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'dynamodb:DeleteTable',
        Resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/t',
      },
    ],
  }),
  durationSeconds: 900,
  tags: { 'stepup-request': 'req-AbC_123', 'stepup-agent': 'repo:org/app:ref:refs/heads/main' },
};

beforeAll(async () => {
  sts = await startSts(services, [{ roleArn: FIXTURE_TARGET_ROLE_ARN, trustPolicy }]);
});
afterAll(async () => {
  await sts?.close();
});

describe('STS stand-in (Query protocol, SigV4, identity and trust policies)', () => {
  it('issues a session through the SDK, with exactly the parameters asked for', async () => {
    const session = await issuer(exchanger).assumeRole(REQUEST);
    expect(session.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(session.expiration.getTime()).toBeGreaterThan(Date.now() + 800_000);
    expect(sts.sessions.at(-1)).toEqual({
      caller: exchanger.assumedRoleArn,
      roleArn: REQUEST.roleArn,
      roleSessionName: REQUEST.roleSessionName,
      sourceIdentity: REQUEST.sourceIdentity,
      policy: REQUEST.policy,
      durationSeconds: 900,
      tags: REQUEST.tags,
      accessKeyId: session.accessKeyId,
    });
  });

  it('refuses a caller whose role has no grant, as STS words it', async () => {
    await expect(issuer(reader).assumeRole(REQUEST)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining(
        `not authorized to perform: sts:AssumeRole on resource: ${FIXTURE_TARGET_ROLE_ARN}`,
      ),
    });
    expect(callLog.denied()).toContainEqual(
      expect.objectContaining({ roleLogicalId: 'ReaderRole', action: 'sts:AssumeRole' }),
    );
  });

  it('refuses a role it does not know (no trust policy trusts the caller)', async () => {
    await expect(
      issuer(exchanger).assumeRole({ ...REQUEST, roleArn: 'arn:aws:iam::123456789012:role/other' }),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('refuses a session without a SourceIdentity when the trust policy requires one', async () => {
    const { sourceIdentity: _omitted, ...anonymous } = REQUEST;
    await expect(issuer(exchanger).assumeRole(anonymous as AwsSessionRequest)).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  it('validates names, durations and the policy as STS does', async () => {
    for (const bad of [
      { roleSessionName: 'has space' },
      { sourceIdentity: 'aws:reserved' },
      { durationSeconds: 899 },
      { durationSeconds: 3601 },
      { policy: 'x'.repeat(2049) },
      { policy: '{not json' },
      { tags: { 'aws:reserved': 'x' } },
    ]) {
      await expect(
        issuer(exchanger).assumeRole({ ...REQUEST, ...bad }),
        JSON.stringify(bad),
      ).rejects.toMatchObject({
        $metadata: expect.objectContaining({ httpStatusCode: 400 }),
      });
    }
  });

  it('refuses a bad signature', async () => {
    await expect(
      issuer({ ...exchanger, secretAccessKey: 'wrong' }).assumeRole(REQUEST),
    ).rejects.toMatchObject({
      $metadata: expect.objectContaining({ httpStatusCode: 400 }),
    });
  });
});
