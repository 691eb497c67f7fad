import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import {
  awsActionOn,
  sessionPolicy,
  sourceIdentityOf,
  tagValue,
  type AwsTarget,
} from '../../lambdas/domain/tokens/aws-target';
import { expectStepUpError, thrownBy } from './support/fixtures';

const ACCOUNT = '111122223333';
const TARGET: AwsTarget = { roleArn: `arn:aws:iam::${ACCOUNT}:role/stepup-target` };
const TABLE = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/orders`;
const NOW = new Date('2026-12-02T12:00:00Z');
const NOT_AFTER = new Date('2026-12-02T12:05:00Z');

/** The target role's own permissions: far broader than one call, as a real admin role's are. */
const ROLE_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** IAM's decision for a call made with the exchanged session, by iam-simulate's model of IAM. */
async function decide(policy: string, action: string, resource: string, at: Date = NOW): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/stepup-target/req1`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: { 'aws:CurrentTime': at.toISOString() },
      },
      identityPolicies: [{ name: 'role', policy: ROLE_POLICY }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      sessionPolicy: JSON.parse(policy),
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe('the session policy of an exchanged credential', () => {
  const policy = sessionPolicy(awsActionOn('aws:prod', TARGET, 'dynamodb:DeleteTable', TABLE), NOT_AFTER);

  it('allows exactly the approved action on exactly the approved ARN', async () => {
    expect(await decide(policy, 'dynamodb:DeleteTable', TABLE)).toBe('Allowed');
  });

  it('denies the same action on any other resource', async () => {
    for (const other of [
      `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/orders-archive`,
      `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/Orders`,
      `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/payments`,
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`,
      `arn:aws:dynamodb:eu-west-1:444455556666:table/orders`,
      `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/orders/index/by-date`,
    ]) {
      expect(await decide(policy, 'dynamodb:DeleteTable', other), other).not.toBe('Allowed');
    }
  });

  it('denies any other action on the same resource', async () => {
    for (const action of [
      'dynamodb:Scan',
      'dynamodb:UpdateTable',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
    ]) {
      expect(await decide(policy, action, TABLE), action).not.toBe('Allowed');
    }
  });

  it('denies the approved call once the approval lifetime has passed, though STS credentials live longer', async () => {
    expect(await decide(policy, 'dynamodb:DeleteTable', TABLE, new Date('2026-12-02T12:04:59Z'))).toBe(
      'Allowed',
    );
    expect(await decide(policy, 'dynamodb:DeleteTable', TABLE, new Date('2026-12-02T12:05:01Z'))).not.toBe(
      'Allowed',
    );
  });

  it('allows an S3 object ARN, which has no region or account, exactly', async () => {
    const object = 'arn:aws:s3:::exports/2026/orders.csv';
    const s3 = sessionPolicy(awsActionOn('aws:prod', TARGET, 's3:DeleteObject', object), NOT_AFTER);
    expect(await decide(s3, 's3:DeleteObject', object)).toBe('Allowed');
    expect(await decide(s3, 's3:DeleteObject', 'arn:aws:s3:::exports/2026/orders.csv.bak')).not.toBe(
      'Allowed',
    );
    expect(await decide(s3, 's3:DeleteObject', 'arn:aws:s3:::exports/2026/other.csv')).not.toBe('Allowed');
  });
});

describe('awsActionOn refuses, at request time, what a policy would read as more than one call', () => {
  const refused = (action: string, resource: string, target: AwsTarget = TARGET) =>
    thrownBy(() => awsActionOn('aws:prod', target, action, resource));

  it('refuses wildcard and variable tricks in the resource', () => {
    for (const resource of [
      '*',
      `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/*`,
      `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/order?`,
      `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/\${aws:username}`,
      `arn:aws:dynamodb:*:${ACCOUNT}:table/orders`,
      `arn:aws:dynamodb:eu-west-1:*:table/orders`,
      `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/orders `,
      `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/or ders`,
      'prod/orders',
    ]) {
      expectStepUpError(
        refused('dynamodb:DeleteTable', resource),
        'invalid_request',
        400,
        'resource must be one ARN',
      );
    }
  });

  it('refuses wildcard or malformed actions', () => {
    for (const action of [
      '*',
      'dynamodb:*',
      'dynamodb:Delete*',
      'dynamodb:DeleteTabl?',
      'db:Drop Table',
      'DeleteTable',
    ]) {
      expectStepUpError(refused(action, TABLE), 'invalid_request', 400, 'one IAM action');
    }
  });

  it("refuses another partition or account than the role's, and another service than the action's", () => {
    expectStepUpError(
      refused('dynamodb:DeleteTable', `arn:aws-cn:dynamodb:cn-north-1:${ACCOUNT}:table/orders`),
      'invalid_request',
      400,
      'partition',
    );
    expectStepUpError(
      refused('dynamodb:DeleteTable', 'arn:aws:dynamodb:eu-west-1:444455556666:table/orders'),
      'invalid_request',
      400,
      'account',
    );
    expectStepUpError(
      refused('dynamodb:DeleteTable', `arn:aws:s3:::orders`),
      'invalid_request',
      400,
      "action's service",
    );
  });

  it("refuses actions outside the target's allowed list (exact names and prefixes, without case)", () => {
    const narrow: AwsTarget = { ...TARGET, actions: ['dynamodb:DeleteTable', 's3:Delete*'] };
    expect(awsActionOn('aws:prod', narrow, 'dynamodb:deletetable', TABLE).action).toBe(
      'dynamodb:deletetable',
    );
    expect(awsActionOn('aws:prod', narrow, 's3:DeleteObject', 'arn:aws:s3:::b/k').region).toBe('');
    expectStepUpError(refused('dynamodb:UpdateTable', TABLE, narrow), 'invalid_request', 400, 'not among');
  });

  it('never repeats the input in its error', () => {
    const error = refused('dynamodb:DeleteTable', 'arn:aws:dynamodb:eu-west-1:1:<img src=x>');
    expect((error as Error).message).not.toContain('<img');
  });
});

describe('STS names', () => {
  it('gives every agent a distinct, valid SourceIdentity', () => {
    const a = sourceIdentityOf('repo:example-org/app:ref:refs/heads/main');
    const b = sourceIdentityOf('repo:example-org/app:ref:refs/heads/mainx');
    expect(a).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(a.startsWith('repo-example-org-app-ref-refs-heads')).toBe(true);
    expect(a).not.toBe(b);
    expect(sourceIdentityOf('x'.repeat(500))).toHaveLength(64);
  });

  it('keeps tag values within what STS accepts', () => {
    expect(tagValue('repo:org/app:ref:refs/heads/main')).toBe('repo:org/app:ref:refs/heads/main');
    expect(tagValue('a\nb<c>')).toBe('a-b-c-');
    expect(tagValue('y'.repeat(300))).toHaveLength(256);
  });
});
