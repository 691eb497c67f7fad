import { describe, expect, it } from 'vitest';
import { cedarPolicyFromDirectory } from '../../lambdas/adapters/cedar/policy-directory';
import type { PolicyDecision, PolicyQuestion } from '../../lambdas/ports/approval-policy';
import { testConfig } from './support';

const policy = cedarPolicyFromDirectory(testConfig(), 'policies');

const ask = (action: string, resource: string, extra: Partial<PolicyQuestion> = {}): PolicyDecision =>
  policy.decide({
    agent: 'deploy-bot',
    action,
    resource,
    audience: 'orders-db',
    humanVerified: false,
    requestedTtlSeconds: 0,
    signals: {},
    ...extra,
  });

type Expected =
  | { kind: 'auto_approve'; policies: string[]; ttl: number }
  | {
      kind: 'step_up';
      policies: string[];
      groups: string[][];
      quorum: number;
      timeout?: number;
      ttl?: number;
      escalateTo?: string;
    }
  | { kind: 'deny'; policies: string[]; reason?: RegExp };

const verified = { onBehalfOf: 'carol@example.com', humanVerified: true };

const cases: [string, string, string, Partial<PolicyQuestion>, Expected][] = [
  // Agents alone
  [
    'reading production logs',
    'logs:Read',
    'prod/app-logs',
    {},
    { kind: 'auto_approve', policies: ['read-logs'], ttl: 900 },
  ],
  [
    'reading logs with no environment',
    'logs:Read',
    'app-logs',
    {},
    { kind: 'auto_approve', policies: ['read-logs'], ttl: 900 },
  ],
  [
    'a staging deploy',
    'deploy:Deploy',
    'staging/web',
    {},
    { kind: 'auto_approve', policies: ['deploy-staging'], ttl: 300 },
  ],
  // Needs a human
  [
    'a production deploy',
    'deploy:Deploy',
    'prod/web',
    {},
    {
      kind: 'step_up',
      policies: ['deploy-prod'],
      groups: [['service-owners']],
      quorum: 1,
      timeout: 1800,
      escalateTo: 'platform-oncall',
    },
  ],
  [
    'a production deploy for a named human',
    'deploy:Deploy',
    'prod/web',
    { onBehalfOf: 'carol@example.com' },
    { kind: 'step_up', policies: ['deploy-prod'], groups: [['service-owners']], quorum: 1 },
  ],
  [
    'dropping a production table',
    'db:DropTable',
    'prod/orders-db/orders',
    {},
    {
      kind: 'step_up',
      policies: ['drop-prod-table'],
      groups: [['db-owners']],
      quorum: 1,
      timeout: 900,
      ttl: 300,
    },
  ],
  [
    'restoring a production snapshot (no incident signal: the optional attribute is absent)',
    'db:RestoreSnapshot',
    'prod/orders-db',
    {},
    { kind: 'step_up', policies: ['restore-prod-snapshot'], groups: [['db-owners']], quorum: 1 },
  ],
  [
    'restoring a production snapshot during an incident: two permits, the larger quorum and both groups',
    'db:RestoreSnapshot',
    'prod/orders-db',
    { signals: { incident: 'INC-42' } },
    {
      kind: 'step_up',
      policies: ['restore-during-incident', 'restore-prod-snapshot'],
      groups: [['platform-oncall'], ['db-owners']],
      quorum: 2,
    },
  ],
  [
    'restoring a staging snapshot during an incident',
    'db:RestoreSnapshot',
    'staging/orders-db',
    { signals: { incident: 'INC-42' } },
    { kind: 'step_up', policies: ['restore-during-incident'], groups: [['platform-oncall']], quorum: 2 },
  ],
  [
    'rotating a production secret needs two from security',
    'secrets:Rotate',
    'prod/db-password',
    {},
    { kind: 'step_up', policies: ['rotate-prod-secret'], groups: [['security']], quorum: 2, ttl: 120 },
  ],
  [
    'rotating a production secret with a ticket signal changes nothing',
    'secrets:Rotate',
    'prod/db-password',
    { signals: { ticket: 'CHG-7' } },
    { kind: 'step_up', policies: ['rotate-prod-secret'], groups: [['security']], quorum: 2, ttl: 120 },
  ],
  [
    'rotating a staging secret needs one from security',
    'secrets:Rotate',
    'staging/db-password',
    {},
    { kind: 'step_up', policies: ['rotate-secret'], groups: [['security']], quorum: 1 },
  ],
  [
    'moving money for a verified human',
    'payments:Transfer',
    'prod/treasury',
    verified,
    { kind: 'step_up', policies: ['transfer-for-verified-human'], groups: [['finance']], quorum: 2, ttl: 60 },
  ],
  // Never
  [
    'moving money on its own account',
    'payments:Transfer',
    'prod/treasury',
    {},
    { kind: 'deny', policies: ['no-agent-payments'] },
  ],
  [
    'moving money for a human the agent only asserts',
    'payments:Transfer',
    'prod/treasury',
    { onBehalfOf: 'carol@example.com' },
    { kind: 'deny', policies: ['no-agent-payments'] },
  ],
  [
    'moving money "verified" but naming nobody',
    'payments:Transfer',
    'prod/treasury',
    { humanVerified: true },
    { kind: 'deny', policies: ['no-agent-payments'] },
  ],
  [
    'an undeclared action',
    's3:DeleteBucket',
    'prod/backups',
    {},
    { kind: 'deny', policies: [], reason: /not an action/ },
  ],
  [
    'an action in the wrong case',
    'DB:droptable',
    'prod/orders',
    {},
    { kind: 'deny', policies: [], reason: /not an action/ },
  ],
  [
    'a forbid overrides a permit: reading the audit logs',
    'logs:Read',
    'prod/stepup-audit-log',
    {},
    { kind: 'deny', policies: ['no-audit-tampering'] },
  ],
  [
    'dropping the audit table',
    'db:DropTable',
    'prod/stepup-audit',
    {},
    { kind: 'deny', policies: ['no-audit-tampering'] },
  ],
  [
    'deploying over the audit store in staging',
    'deploy:Deploy',
    'staging/stepup-audit',
    {},
    { kind: 'deny', policies: ['no-audit-tampering'] },
  ],
  [
    'dropping a staging table (nothing permits it)',
    'db:DropTable',
    'staging/orders',
    {},
    { kind: 'deny', policies: [], reason: /no policy permits/ },
  ],
  ['dropping a table with no environment', 'db:DropTable', 'orders', {}, { kind: 'deny', policies: [] }],
  ['a dev deploy', 'deploy:Deploy', 'dev/web', {}, { kind: 'deny', policies: [] }],
  [
    'restoring a staging snapshot outside an incident',
    'db:RestoreSnapshot',
    'staging/orders-db',
    {},
    { kind: 'deny', policies: [] },
  ],
  [
    'a production-looking name that is not the prod environment',
    'db:DropTable',
    'production/orders',
    {},
    { kind: 'deny', policies: [] },
  ],
];

describe('the example policy set decides', () => {
  it('has at least 25 cases', () => expect(cases.length).toBeGreaterThanOrEqual(25));

  it.each(cases)('%s', (_name, action, resource, extra, expected) => {
    const decision = ask(action, resource, extra);
    expect(decision.kind).toBe(expected.kind);
    if (decision.kind === 'auto_approve' && expected.kind === 'auto_approve') {
      expect(decision).toEqual({
        kind: 'auto_approve',
        policies: expected.policies,
        maxTokenTtlSeconds: expected.ttl,
      });
    } else if (decision.kind === 'step_up' && expected.kind === 'step_up') {
      const r = decision.requirements;
      expect(r.policies).toEqual(expected.policies);
      expect(r.approverGroups).toEqual(expected.groups);
      expect(r.quorum).toBe(expected.quorum);
      if (expected.timeout !== undefined) expect(r.approvalTimeoutSeconds).toBe(expected.timeout);
      if (expected.ttl !== undefined) expect(r.maxTokenTtlSeconds).toBe(expected.ttl);
      if (expected.escalateTo !== undefined) expect(r.escalateTo).toBe(expected.escalateTo);
    } else if (decision.kind === 'deny' && expected.kind === 'deny') {
      expect(decision.policies).toEqual(expected.policies);
      if (expected.reason) expect(decision.reason).toMatch(expected.reason);
      if (expected.policies.length > 0) expect(decision.reason).toContain(expected.policies[0]);
    }
  });

  it('denies up front when too few people qualify to ever reach the quorum', () => {
    const config = testConfig();
    const thin = cedarPolicyFromDirectory(
      {
        ...config,
        approverGroups: {
          ...config.approverGroups,
          'platform-oncall': { members: ['U0ALICE', 'U0FRANK'], channel: 'C0ONCALL' },
        },
      },
      'policies',
    );
    const decision = thin.decide({
      agent: 'deploy-bot',
      action: 'db:RestoreSnapshot',
      resource: 'prod/orders-db',
      audience: 'orders-db',
      humanVerified: false,
      requestedTtlSeconds: 0,
      signals: { incident: 'INC-1' },
    });
    expect(decision).toMatchObject({
      kind: 'deny',
      reason: expect.stringMatching(/need 2 approvers.*only 1/),
    });
  });

  it('rejects context signals the schema does not declare', () => {
    expect(() => ask('logs:Read', 'prod/x', { signals: { mood: 'confident' } })).toThrow(/context/);
  });
});
