import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/domain/config';
import { expectStepUpError, thrownBy } from './support/fixtures';

const example: unknown = JSON.parse(readFileSync(resolve(__dirname, '../../stepup.config.json'), 'utf8'));

interface RawGroup {
  members: unknown;
  channel: unknown;
}

interface RawConfig {
  slack: { teamId: unknown };
  auth?: { issuer?: unknown; audience?: unknown };
  approverGroups: { 'db-owners': RawGroup; sre: RawGroup };
  people: Record<string, unknown>;
  defaults: { approvers: unknown; approvalTimeoutSeconds: unknown; maxTokenTtlSeconds: unknown };
}

/** A valid raw config; each test breaks one part of it. */
function raw(): RawConfig {
  return {
    slack: { teamId: 'T0EXAMPLE' },
    approverGroups: {
      'db-owners': { members: ['U0ALICE', 'U0BOB'], channel: 'C0APPROVALS' },
      sre: { members: ['W0DAVE', 'S0ONCALL'], channel: 'G0PRIVATE' },
    },
    people: { 'carol@example.com': 'U0CAROL' },
    defaults: { approvers: 'db-owners', approvalTimeoutSeconds: 900, maxTokenTtlSeconds: 300 },
  };
}

/** Asserts that parsing `config` fails with `invalid_config` naming `key`. */
function expectRejected(config: unknown, key: string): string {
  const error = expectStepUpError(
    thrownBy(() => parseConfig(config)),
    'invalid_config',
    500,
  );
  const prefix = `stepup config: ${key} `;
  expect(error.message.slice(0, prefix.length)).toBe(prefix);
  return error.message;
}

describe('parseConfig: valid configs', () => {
  it('accepts the example stepup.config.json at the repository root', () => {
    const config = parseConfig(example);
    expect(config.slack.teamId).toBe('T0EXAMPLE');
    expect(config.approverGroups['db-owners']).toEqual({
      members: ['U0ALICE', 'U0BOB'],
      channel: 'C0APPROVALS',
    });
    expect(config.people).toEqual({ 'carol@example.com': 'U0CAROL' });
    expect(config.defaults).toEqual({
      approvers: 'db-owners',
      approvalTimeoutSeconds: 900,
      maxTokenTtlSeconds: 300,
    });
    expect(config.auth).toEqual({
      issuer: 'https://token.actions.githubusercontent.com',
      audience: ['stepup'],
    });
  });

  it('accepts W… users, S… user groups and G… channels', () => {
    const config = parseConfig(raw());
    expect(config.approverGroups.sre).toEqual({ members: ['W0DAVE', 'S0ONCALL'], channel: 'G0PRIVATE' });
  });

  it('fills in defaults for optional keys', () => {
    const { people: _people, ...config } = raw();
    delete config.defaults.approvalTimeoutSeconds;
    delete config.defaults.maxTokenTtlSeconds;
    const parsed = parseConfig(config);
    expect(parsed.people).toEqual({});
    expect(parsed.defaults.approvalTimeoutSeconds).toBe(900);
    expect(parsed.defaults.maxTokenTtlSeconds).toBe(300);
    expect(parsed.auth.audience).toEqual(['stepup']);
  });

  it('accepts a single auth audience given as a string', () => {
    const config = raw();
    config.auth = { issuer: 'https://issuer.example', audience: 'stepup-api' };
    expect(parseConfig(config).auth).toEqual({ issuer: 'https://issuer.example', audience: ['stepup-api'] });
  });
});

describe('parseConfig: each error names its key', () => {
  it('rejects a root that is not an object', () => {
    expectRejected([], '(root)');
    expectRejected(null, '(root)');
    expectRejected('config', '(root)');
  });

  it('rejects a missing slack section', () => {
    const { slack: _slack, ...config } = raw();
    expectRejected(config, 'slack');
  });

  it('rejects a missing slack.teamId', () => {
    const config = raw();
    delete config.slack.teamId;
    expect(expectRejected(config, 'slack.teamId')).toContain('non-empty string');
  });

  it('rejects a team id that is not a Slack team id', () => {
    for (const teamId of ['U0EXAMPLE', 't0example', 'T', 'T0 EXAMPLE', '']) {
      const config = raw();
      config.slack.teamId = teamId;
      expectRejected(config, 'slack.teamId');
    }
    const config = raw();
    config.slack.teamId = 'X0BAD';
    expect(expectRejected(config, 'slack.teamId')).toContain('"X0BAD"');
  });

  it('rejects a group with an empty or missing member list', () => {
    const empty = raw();
    empty.approverGroups['db-owners'].members = [];
    expectRejected(empty, 'approverGroups.db-owners.members');
    const missing = raw();
    delete missing.approverGroups.sre.members;
    expectRejected(missing, 'approverGroups.sre.members');
    const notArray = raw();
    notArray.approverGroups.sre.members = 'U0DAVE';
    expectRejected(notArray, 'approverGroups.sre.members');
  });

  it('rejects a member that is not a Slack user or user-group id, naming its index', () => {
    for (const member of ['alice@example.com', 'C0CHANNEL', 'u0alice', '', 42]) {
      const config = raw();
      config.approverGroups['db-owners'].members = ['U0ALICE', member];
      expectRejected(config, 'approverGroups.db-owners.members[1]');
    }
  });

  it('rejects a channel that is not a Slack channel id', () => {
    for (const channel of ['#approvals', 'U0ALICE', 'c0approvals', undefined]) {
      const config = raw();
      config.approverGroups.sre.channel = channel;
      expectRejected(config, 'approverGroups.sre.channel');
    }
  });

  it('rejects defaults.approvers naming a group that does not exist', () => {
    const config = raw();
    config.defaults.approvers = 'dba';
    expect(expectRejected(config, 'defaults.approvers')).toContain('"dba"');
  });

  it('rejects a missing defaults section or defaults.approvers', () => {
    const { defaults: _defaults, ...noDefaults } = raw();
    expectRejected(noDefaults, 'defaults');
    const noApprovers = raw();
    delete noApprovers.defaults.approvers;
    expectRejected(noApprovers, 'defaults.approvers');
  });

  it('rejects a timeout that is not a positive integer in range', () => {
    for (const value of [1.5, '900', 0, -1, 86_401, Number.NaN]) {
      const config = raw();
      config.defaults.approvalTimeoutSeconds = value;
      expect(expectRejected(config, 'defaults.approvalTimeoutSeconds')).toContain('integer');
    }
  });

  it('rejects a max token TTL that is not a positive integer in range', () => {
    for (const value of [2.5, 3_601, 0]) {
      const config = raw();
      config.defaults.maxTokenTtlSeconds = value;
      expectRejected(config, 'defaults.maxTokenTtlSeconds');
    }
  });

  it('rejects a config with no approver groups', () => {
    expect(expectRejected({ ...raw(), approverGroups: {} }, 'approverGroups')).toContain(
      'at least one group',
    );
    const { approverGroups: _groups, ...missing } = raw();
    expectRejected(missing, 'approverGroups');
  });

  it('rejects a person mapped to something other than a Slack user id', () => {
    const config = raw();
    config.people['dave@example.com'] = 'dave';
    expectRejected(config, 'people.dave@example.com');
  });

  it('rejects an auth section with no issuer or an empty audience list', () => {
    const noIssuer = raw();
    noIssuer.auth = { audience: ['stepup'] };
    expectRejected(noIssuer, 'auth.issuer');
    const noAudience = raw();
    noAudience.auth = { issuer: 'https://issuer.example', audience: [] };
    expectRejected(noAudience, 'auth.audience');
  });
});
