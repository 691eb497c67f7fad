import { describe, expect, it } from 'vitest';
import { parseConfig, type StepUpConfig } from '../../lambdas/domain/config/config';
import {
  combinedDescription,
  KNOWN_ANNOTATIONS,
  MAX_COMBINED_DESCRIPTION_LENGTH,
  MAX_DESCRIPTION_LENGTH,
  parsePolicyAnnotations,
} from '../../lambdas/domain/policy/policy-annotations';
import { ALICE, BOB, CHANNEL, GROUP, ISSUER, TEAM } from './support/fixtures';

/** db-owners, security and oncall. */
const config: StepUpConfig = parseConfig({
  slack: { teamId: TEAM },
  auth: { issuer: ISSUER, audience: ['stepup'] },
  approverGroups: {
    [GROUP]: { members: [ALICE], channel: CHANNEL },
    security: { members: [BOB], channel: 'C0SECURITY' },
    oncall: { members: [ALICE, BOB], channel: 'C0ONCALL' },
  },
  defaults: { approvers: GROUP },
});

const permit = (raw: Record<string, string>) => parsePolicyAnnotations(raw, 'permit', config);
const forbid = (raw: Record<string, string>) => parsePolicyAnnotations(raw, 'forbid', config);

describe('parsePolicyAnnotations: valid annotations', () => {
  it('reads every known annotation of a permit policy', () => {
    expect(
      permit({
        id: 'drop-prod-table',
        approvers: GROUP,
        quorum: '2',
        approval_timeout: '1800',
        escalate_to: 'oncall',
        max_ttl: '300',
        description: ' Dropping a production table loses its data for good. ',
      }),
    ).toEqual({
      annotations: {
        id: 'drop-prod-table',
        approvers: [GROUP],
        quorum: 2,
        approvalTimeoutSeconds: 1800,
        escalateTo: 'oncall',
        maxTtlSeconds: 300,
        description: 'Dropping a production table loses its data for good.',
      },
      problems: [],
    });
    expect(KNOWN_ANNOTATIONS).toEqual([
      'id',
      'approvers',
      'quorum',
      'approval_timeout',
      'escalate_to',
      'max_ttl',
      'description',
      'mode',
      'assurance',
    ]);
  });

  it('leaves unset annotations undefined (the config defaults apply later)', () => {
    expect(permit({ id: 'read-logs' })).toEqual({
      annotations: {
        id: 'read-logs',
        approvers: undefined,
        quorum: undefined,
        approvalTimeoutSeconds: undefined,
        escalateTo: undefined,
        maxTtlSeconds: undefined,
      },
      problems: [],
    });
  });

  it('splits comma-separated approvers into an any-of list, trimming spaces', () => {
    expect(permit({ id: 'p', approvers: `${GROUP},security , oncall` })).toMatchObject({
      annotations: { approvers: [GROUP, 'security', 'oncall'] },
      problems: [],
    });
  });

  it('accepts ids of letters, digits and _.:- up to 64 characters', () => {
    for (const id of ['a', 'deploy-prod', 'team.db:drop_table-2', `P${'x'.repeat(63)}`]) {
      expect(permit({ id }).problems).toEqual([]);
    }
  });

  it('accepts the bounds of quorum (1..10), approval_timeout (1..86400) and max_ttl (1..3600)', () => {
    for (const [quorum, approval_timeout, max_ttl] of [
      ['1', '1', '1'],
      ['10', '86400', '3600'],
    ]) {
      expect(
        permit({ id: 'p', quorum: quorum!, approval_timeout: approval_timeout!, max_ttl: max_ttl! }),
      ).toMatchObject({
        annotations: {
          quorum: Number(quorum),
          approvalTimeoutSeconds: Number(approval_timeout),
          maxTtlSeconds: Number(max_ttl),
        },
        problems: [],
      });
    }
  });

  it('accepts a forbid policy carrying only @id', () => {
    expect(forbid({ id: 'no-audit-tampering' }).problems).toEqual([]);
  });
});

describe('parsePolicyAnnotations: every problem is reported', () => {
  it('rejects an unknown annotation, listing the known ones', () => {
    const { problems } = permit({ id: 'p', approver: GROUP });
    expect(problems).toEqual([
      'unknown annotation @approver (known: @id, @approvers, @quorum, @approval_timeout, @escalate_to, @max_ttl, @description, @mode, @assurance)',
    ]);
  });

  it('reads @assurance("passkey") and ("slack"), and refuses any other level and forbid policies carrying it', () => {
    expect(permit({ id: 'p', assurance: 'passkey' })).toMatchObject({
      annotations: { assurance: 'passkey' },
      problems: [],
    });
    expect(permit({ id: 'p', assurance: 'slack' }).annotations.assurance).toBe('slack');
    expect(permit({ id: 'p', assurance: 'webauthn' }).problems).toEqual([
      '@assurance("webauthn") must be one of "slack", "passkey"',
    ]);
    expect(forbid({ id: 'f', assurance: 'passkey' }).problems).toEqual([
      '@assurance has no meaning on a forbid policy',
    ]);
  });

  it('accepts @description on forbid policies too, and refuses a blank, multi-line, invisible or overlong one', () => {
    expect(forbid({ id: 'f', description: 'Agents never move money.' }).problems).toEqual([]);
    for (const bad of ['  ', 'two\nlines', 'zero\u200bwidth', 'x'.repeat(MAX_DESCRIPTION_LENGTH + 1)]) {
      expect(permit({ id: 'p', description: bad }).problems).toEqual([
        `@description must be one line of 1 to ${MAX_DESCRIPTION_LENGTH} characters without control or invisible characters`,
      ]);
    }
    expect(permit({ id: 'p', description: '🔥'.repeat(MAX_DESCRIPTION_LENGTH) }).problems).toEqual([]);
  });

  it('combines the deciding policies’ descriptions: one as it is, several named by policy, capped', () => {
    const one = { id: 'a', description: 'Loses data.' };
    expect(combinedDescription([one])).toBe('Loses data.');
    expect(combinedDescription([{ id: 'x' }])).toBeUndefined();
    expect(combinedDescription([one, { id: 'b' }, { id: 'c', description: 'Pages the on-call.' }])).toBe(
      'a: Loses data. · c: Pages the on-call.',
    );
    const long = Array.from({ length: 3 }, (_, i) => ({
      id: `p${i}`,
      description: 'y'.repeat(MAX_DESCRIPTION_LENGTH),
    }));
    const combined = combinedDescription(long)!;
    expect([...combined]).toHaveLength(MAX_COMBINED_DESCRIPTION_LENGTH);
    expect(combined.endsWith('…')).toBe(true);
  });

  it('rejects annotations named like Object.prototype members as unknown', () => {
    for (const name of ['constructor', 'toString', '__proto__']) {
      const raw = Object.fromEntries([
        ['id', 'p'],
        [name, 'x'],
      ]) as Record<string, string>;
      expect(permit(raw).problems).toEqual([expect.stringContaining(`unknown annotation @${name}`)]);
    }
  });

  it('rejects every step-up annotation on a forbid policy', () => {
    for (const name of ['approvers', 'quorum', 'approval_timeout', 'escalate_to', 'max_ttl']) {
      const { problems } = forbid({
        id: 'f',
        [name]: name === 'approvers' || name === 'escalate_to' ? GROUP : '5',
      });
      expect(problems).toEqual([`@${name} has no meaning on a forbid policy`]);
    }
  });

  it('reports an unknown annotation on a forbid policy once, as unknown', () => {
    expect(forbid({ id: 'f', reason: 'x' }).problems).toEqual([
      expect.stringMatching(/^unknown annotation @reason /),
    ]);
  });

  it('requires @id', () => {
    expect(permit({ approvers: GROUP }).problems).toEqual([
      'every policy needs @id("…") of letters, digits and _.:- (at most 64)',
    ]);
    expect(forbid({}).problems).toHaveLength(1);
  });

  it('rejects an invalid @id', () => {
    for (const id of [
      '',
      ' ',
      'has space',
      '-leading',
      '.leading',
      'a/b',
      'a,b',
      'é',
      `P${'x'.repeat(64)}`,
    ]) {
      expect(permit({ id }).problems).toEqual([expect.stringContaining('every policy needs @id')]);
    }
  });

  it.each([
    ['quorum', 10, ['0', '11', '-1', '1.5', 'two', '', ' 2', '2 ', '1e1', '0x2']],
    ['approval_timeout', 86_400, ['0', '86401', '900s', '15m', '']],
    ['max_ttl', 3600, ['0', '3601', '-60', '300.0', '']],
  ])('rejects @%s values that are not whole numbers from 1 to %i', (name, max, values) => {
    for (const value of values) {
      const { annotations, problems } = permit({ id: 'p', [name]: value });
      expect(problems).toEqual([`@${name}("${value}") must be a whole number from 1 to ${max}`]);
      expect({ ...annotations, id: undefined }).toEqual({
        id: undefined,
        approvers: undefined,
        quorum: undefined,
        approvalTimeoutSeconds: undefined,
        escalateTo: undefined,
        maxTtlSeconds: undefined,
      });
    }
  });

  it('rejects an @approvers group that is not in the config, naming it', () => {
    expect(permit({ id: 'p', approvers: 'dba' }).problems).toEqual([
      '@approvers names group "dba", which is not in approverGroups of the config',
    ]);
  });

  it('rejects each unknown group of a comma-separated @approvers list, and an empty entry', () => {
    expect(permit({ id: 'p', approvers: `${GROUP}, dba,security,,sre` }).problems).toEqual([
      '@approvers names group "dba", which is not in approverGroups of the config',
      '@approvers names group "", which is not in approverGroups of the config',
      '@approvers names group "sre", which is not in approverGroups of the config',
    ]);
  });

  it('rejects an @escalate_to group that is not in the config', () => {
    expect(permit({ id: 'p', escalate_to: 'pager' }).problems).toEqual([
      '@escalate_to names group "pager", which is not in approverGroups of the config',
    ]);
  });

  it('treats group names like Object.prototype members as unknown groups', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(permit({ id: 'p', approvers: name, escalate_to: name }).problems).toEqual([
        `@approvers names group "${name}", which is not in approverGroups of the config`,
        `@escalate_to names group "${name}", which is not in approverGroups of the config`,
      ]);
    }
  });

  it('reports all problems of one policy together', () => {
    const { problems } = permit({ quorum: '0', approvers: 'dba', color: 'red', max_ttl: '7200' });
    expect(problems).toHaveLength(5);
  });
});
