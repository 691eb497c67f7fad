import { describe, expect, it } from 'vitest';
import type { ApprovalRequirements } from '../../lambdas/domain/requests/approval-request';
import {
  combineRequirements,
  eligibleApprovers,
  isEligibleApprover,
  tokenTtlCap,
} from '../../lambdas/domain/policy/combine-requirements';
import { parseConfig, type StepUpConfig } from '../../lambdas/domain/config/config';
import type { PolicyAnnotations } from '../../lambdas/domain/policy/policy-annotations';
import { ALICE, BOB, CAROL, CHANNEL, GROUP, ISSUER, MALLORY, TEAM } from './support/fixtures';

/** db-owners (Alice, Bob), oncall (Alice, Carol), security (Mallory); defaults db-owners, 900 s, 300 s. */
const config: StepUpConfig = parseConfig({
  slack: { teamId: TEAM },
  auth: { issuer: ISSUER, audience: ['stepup'] },
  approverGroups: {
    [GROUP]: { members: [ALICE, BOB], channel: CHANNEL },
    oncall: { members: [ALICE, CAROL], channel: 'C0ONCALL' },
    security: { members: [MALLORY], channel: 'C0SECURITY' },
  },
  defaults: { approvers: GROUP, approvalTimeoutSeconds: 900, maxTokenTtlSeconds: 300 },
});
const { defaults } = config;

const policy = (id: string, rest: Omit<PolicyAnnotations, 'id'> = {}): PolicyAnnotations => ({ id, ...rest });

describe('combineRequirements: one policy', () => {
  it('takes the config defaults for everything unset', () => {
    expect(combineRequirements([policy('p')], defaults)).toEqual({
      approverGroups: [[GROUP]],
      quorum: 1,
      approvalTimeoutSeconds: 900,
      maxTokenTtlSeconds: 300,
      escalateTo: undefined,
      policies: ['p'],
    });
  });

  it('takes what the annotations set', () => {
    expect(
      combineRequirements(
        [
          policy('p', {
            approvers: ['security', 'oncall'],
            quorum: 3,
            approvalTimeoutSeconds: 60,
            maxTtlSeconds: 30,
            escalateTo: 'oncall',
          }),
        ],
        defaults,
      ),
    ).toEqual({
      approverGroups: [['oncall', 'security']],
      quorum: 3,
      approvalTimeoutSeconds: 60,
      maxTokenTtlSeconds: 30,
      escalateTo: 'oncall',
      policies: ['p'],
    });
  });

  it('may set a longer timeout or TTL than the defaults (the defaults are not a ceiling)', () => {
    const combined = combineRequirements(
      [policy('p', { approvalTimeoutSeconds: 3600, maxTtlSeconds: 900 })],
      defaults,
    );
    expect(combined).toMatchObject({ approvalTimeoutSeconds: 3600, maxTokenTtlSeconds: 900 });
  });
});

describe('combineRequirements: several policies, the strictest wins', () => {
  it('asks for a passkey when any determining policy does (@assurance), and stores nothing otherwise', () => {
    const passkey = { ...policy('a'), assurance: 'passkey' as const };
    const slack = { ...policy('b'), assurance: 'slack' as const };
    expect(combineRequirements([slack, passkey], defaults).assurance).toBe('passkey');
    expect(combineRequirements([passkey], defaults).assurance).toBe('passkey');
    expect(combineRequirements([slack, policy('c')], defaults)).not.toHaveProperty('assurance');
  });

  it('takes the highest quorum (an unset quorum counts as 1)', () => {
    expect(
      combineRequirements([policy('a', { quorum: 2 }), policy('b', { quorum: 3 }), policy('c')], defaults)
        .quorum,
    ).toBe(3);
    expect(combineRequirements([policy('a'), policy('b')], defaults).quorum).toBe(1);
  });

  it('takes the shortest approval timeout, an unset one counting as the default', () => {
    expect(
      combineRequirements(
        [policy('a', { approvalTimeoutSeconds: 1800 }), policy('b', { approvalTimeoutSeconds: 600 })],
        defaults,
      ).approvalTimeoutSeconds,
    ).toBe(600);
    expect(
      combineRequirements([policy('a', { approvalTimeoutSeconds: 1800 }), policy('b')], defaults)
        .approvalTimeoutSeconds,
    ).toBe(900);
  });

  it('takes the shortest token lifetime, an unset one counting as the default', () => {
    expect(
      combineRequirements([policy('a', { maxTtlSeconds: 120 }), policy('b', { maxTtlSeconds: 60 })], defaults)
        .maxTokenTtlSeconds,
    ).toBe(60);
    expect(
      combineRequirements([policy('a', { maxTtlSeconds: 1200 }), policy('b')], defaults).maxTokenTtlSeconds,
    ).toBe(300);
  });

  it('keeps one group set per policy, in policy-id order', () => {
    expect(
      combineRequirements(
        [policy('z', { approvers: ['security'] }), policy('a', { approvers: ['oncall'] })],
        defaults,
      ).approverGroups,
    ).toEqual([['oncall'], ['security']]);
  });

  it('keeps an identical group set once, whatever its order or whether it came from the default', () => {
    const combined = combineRequirements(
      [
        policy('a', { approvers: ['oncall', GROUP] }),
        policy('b', { approvers: [GROUP, 'oncall'] }),
        policy('c'),
        policy('d', { approvers: [GROUP] }),
      ],
      defaults,
    );
    expect(combined.approverGroups).toEqual([[GROUP, 'oncall'], [GROUP]]);
    expect(combined.policies).toEqual(['a', 'b', 'c', 'd']);
  });

  it('names the policies sorted by id, whatever order they came in', () => {
    expect(
      combineRequirements(
        [policy('rotate-secret'), policy('deploy-prod'), policy('drop-prod-table')],
        defaults,
      ).policies,
    ).toEqual(['deploy-prod', 'drop-prod-table', 'rotate-secret']);
  });

  it('escalates to the group of the first policy, by id, that names one', () => {
    expect(
      combineRequirements(
        [policy('c', { escalateTo: 'security' }), policy('a'), policy('b', { escalateTo: 'oncall' })],
        defaults,
      ).escalateTo,
    ).toBe('oncall');
    expect(combineRequirements([policy('a'), policy('b')], defaults).escalateTo).toBeUndefined();
  });

  it('does not change its input', () => {
    const input = Object.freeze([policy('b', { approvers: ['security', 'oncall'] }), policy('a')]);
    combineRequirements(input, defaults);
    expect(input.map((p) => p.id)).toEqual(['b', 'a']);
    expect(input[0]?.approvers).toEqual(['security', 'oncall']);
  });
});

describe('tokenTtlCap', () => {
  it('is the shortest @max_ttl, an unset one counting as the default', () => {
    expect(tokenTtlCap([policy('a', { maxTtlSeconds: 900 })], defaults)).toBe(900);
    expect(
      tokenTtlCap([policy('a', { maxTtlSeconds: 900 }), policy('b', { maxTtlSeconds: 60 })], defaults),
    ).toBe(60);
    expect(tokenTtlCap([policy('a', { maxTtlSeconds: 900 }), policy('b')], defaults)).toBe(300);
  });
});

describe('isEligibleApprover', () => {
  const requirements = (approverGroups: string[][]): ApprovalRequirements => ({
    approverGroups,
    quorum: 1,
    approvalTimeoutSeconds: 900,
    maxTokenTtlSeconds: 300,
    policies: ['p'],
  });

  it('with one set: a member of any group in it', () => {
    const any = requirements([[GROUP, 'security']]);
    expect([ALICE, BOB, CAROL, MALLORY].filter((u) => isEligibleApprover(any, config, u))).toEqual([
      ALICE,
      BOB,
      MALLORY,
    ]);
  });

  it('with two sets: only a member of a group in both', () => {
    const both = requirements([[GROUP], ['oncall']]);
    expect([ALICE, BOB, CAROL, MALLORY].filter((u) => isEligibleApprover(both, config, u))).toEqual([ALICE]);
    const eitherThenOncall = requirements([[GROUP, 'security'], ['oncall']]);
    expect(
      [ALICE, BOB, CAROL, MALLORY].filter((u) => isEligibleApprover(eitherThenOncall, config, u)),
    ).toEqual([ALICE]);
  });

  it('with no sets, or an empty set: nobody', () => {
    for (const sets of [[], [[]], [[GROUP], []]]) {
      expect(
        [ALICE, BOB, CAROL, MALLORY].some((u) => isEligibleApprover(requirements(sets), config, u)),
      ).toBe(false);
    }
  });

  it('ignores groups the config does not have, including Object.prototype member names', () => {
    for (const name of ['gone', 'constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(isEligibleApprover(requirements([[name]]), config, ALICE)).toBe(false);
      expect(isEligibleApprover(requirements([[name, GROUP]]), config, ALICE)).toBe(true);
    }
  });

  it('matches Slack user ids exactly', () => {
    expect(isEligibleApprover(requirements([[GROUP]]), config, ALICE.toLowerCase())).toBe(false);
    expect(isEligibleApprover(requirements([[GROUP]]), config, `${ALICE} `)).toBe(false);
  });
});

describe('eligibleApprovers', () => {
  const requirements = (approverGroups: string[][]): ApprovalRequirements => ({
    approverGroups,
    quorum: 1,
    approvalTimeoutSeconds: 900,
    maxTokenTtlSeconds: 300,
    policies: ['p'],
  });

  it('lists each configured person who could approve, once', () => {
    expect(eligibleApprovers(requirements([[GROUP, 'oncall']]), config).sort()).toEqual([ALICE, BOB, CAROL]);
    expect(eligibleApprovers(requirements([[GROUP], ['oncall']]), config)).toEqual([ALICE]);
    expect(eligibleApprovers(requirements([[GROUP], ['security']]), config)).toEqual([]);
    expect(eligibleApprovers(requirements([]), config)).toEqual([]);
  });
});
