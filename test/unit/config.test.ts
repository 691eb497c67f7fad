import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, serializeConfig } from '../../lambdas/domain/config/config';
import { expectStepUpError, thrownBy } from './support/fixtures';

const example: unknown = JSON.parse(readFileSync(resolve(__dirname, '../../stepup.config.json'), 'utf8'));

interface RawGroup {
  members: unknown;
  channel: unknown;
}

interface RawConfig {
  slack: { teamId: unknown };
  auth?: { issuer?: unknown; audience?: unknown };
  approverGroups: Record<string, RawGroup> & { 'db-owners': RawGroup; sre: RawGroup };
  people: Record<string, unknown>;
  defaults: { approvers: unknown; approvalTimeoutSeconds?: unknown; maxTokenTtlSeconds?: unknown };
}

/** A valid raw config; each test breaks one part of it. */
function raw(): RawConfig {
  return {
    slack: { teamId: 'T0EXAMPLE' },
    auth: { issuer: 'https://issuer.example', audience: ['stepup'] },
    approverGroups: {
      'db-owners': { members: ['U0ALICE', 'U0BOB'], channel: 'C0APPROVALS' },
      sre: { members: ['W0DAVE', 'U0ERIN'], channel: 'G0PRIVATE' },
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
    expect(config.people).toEqual({ 'carol@example.com': 'U0CAROL', 'alice@example.com': 'U0ALICE' });
    expect(config.defaults).toEqual({
      approvers: 'db-owners',
      approvalTimeoutSeconds: 900,
      maxTokenTtlSeconds: 300,
    });
    expect(config.auth).toEqual({
      issuers: [{ issuer: 'https://token.actions.githubusercontent.com', audience: ['stepup'] }],
    });
  });

  it('accepts W… users and G… channels', () => {
    const config = parseConfig(raw());
    expect(config.approverGroups.sre).toEqual({ members: ['W0DAVE', 'U0ERIN'], channel: 'G0PRIVATE' });
  });

  it('accepts group names of letters, digits and _.- up to 64 characters', () => {
    const config = raw();
    const names = ['a', 'DB_owners.eu-1', `g${'x'.repeat(63)}`];
    for (const name of names) config.approverGroups[name] = { members: ['U0ALICE'], channel: 'C0X' };
    expect(Object.keys(parseConfig(config).approverGroups)).toEqual(['db-owners', 'sre', ...names]);
  });

  it('keeps groups and people in null-prototype records, so a lookup never reaches Object.prototype', () => {
    const config = parseConfig(raw());
    expect(Object.getPrototypeOf(config.approverGroups)).toBeNull();
    expect(Object.getPrototypeOf(config.people)).toBeNull();
    expect(config.approverGroups.constructor).toBeUndefined();
    expect(config.people.toString).toBeUndefined();
  });

  it('accepts a group named like an Object.prototype member as an ordinary group', () => {
    const config = raw();
    const name: string = 'constructor';
    config.approverGroups[name] = { members: ['U0MALLORY'], channel: 'C0X' };
    config.defaults.approvers = name;
    const parsed = parseConfig(config);
    expect(parsed.approverGroups[name]).toEqual({ members: ['U0MALLORY'], channel: 'C0X' });
    expect(parsed.defaults.approvers).toBe(name);
  });

  it('fills in defaults for optional keys', () => {
    const { people: _people, ...config } = raw();
    delete config.defaults.approvalTimeoutSeconds;
    delete config.defaults.maxTokenTtlSeconds;
    const parsed = parseConfig(config);
    expect(parsed.people).toEqual({});
    expect(parsed.defaults.approvalTimeoutSeconds).toBe(900);
    expect(parsed.defaults.maxTokenTtlSeconds).toBe(300);
  });

  it('accepts a single auth audience given as a string', () => {
    const config = raw();
    config.auth = { issuer: 'https://issuer.example', audience: 'stepup-api' };
    expect(parseConfig(config).auth).toEqual({
      issuers: [{ issuer: 'https://issuer.example', audience: ['stepup-api'] }],
    });
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

  it('rejects a member that is not a Slack user id, naming its index', () => {
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

  it('accepts Slack user-group ids (S…) as members, and nothing else that is not a user', () => {
    const config = raw();
    config.approverGroups.sre.members = ['W0DAVE', 'S0ONCALL'];
    expect(parseConfig(config).approverGroups.sre?.members).toEqual(['W0DAVE', 'S0ONCALL']);
    config.approverGroups.sre.members = ['W0DAVE', 'C0CHANNEL'];
    expect(expectRejected(config, 'approverGroups.sre.members[1]')).toContain('user-group id (S…)');
  });

  it('rejects a person mapped to something other than a Slack user id (U… or W…)', () => {
    for (const value of ['dave', 'S0ONCALL', 'C0CHANNEL', '', 42]) {
      const config = raw();
      config.people['dave@example.com'] = value;
      expectRejected(config, 'people.dave@example.com');
    }
    const config = raw();
    config.people['dave@example.com'] = 'W0DAVE';
    expect(parseConfig(config).people['dave@example.com']).toBe('W0DAVE');
  });

  it('rejects a missing auth section', () => {
    const { auth: _auth, ...config } = raw();
    expectRejected(config, 'auth');
    expectRejected({ ...raw(), auth: 'https://issuer.example' }, 'auth');
  });

  it('rejects defaults.approvers naming an Object.prototype member (no such group)', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const config = raw();
      config.defaults.approvers = name;
      expect(expectRejected(config, 'defaults.approvers')).toContain(`"${name}"`);
    }
  });

  it('rejects group names outside letters, digits and _.- (or longer than 64)', () => {
    // ("__proto__" is covered below: assigning it here would set the prototype, not add a key.)
    for (const name of ['-leading', '.hidden', 'has space', 'a/b', 'é', `g${'x'.repeat(64)}`]) {
      const config = raw();
      config.approverGroups[name] = { members: ['U0ALICE'], channel: 'C0X' };
      expect(expectRejected(config, `approverGroups.${name}`)).toContain('not a valid group name');
    }
  });

  it('rejects a "__proto__" group from JSON.parse as an invalid name, not a prototype change', () => {
    const config = JSON.parse(JSON.stringify(raw()).replace('"sre":', '"__proto__":')) as unknown;
    expectRejected(config, 'approverGroups.__proto__');
  });

  it.each([
    ['(root)', (c: Record<string, unknown>) => (c.approvers = {})],
    ['slack', (c: Record<string, unknown>) => ((c.slack as Record<string, unknown>).channel = 'C0X')],
    ['auth', (c: Record<string, unknown>) => ((c.auth as Record<string, unknown>).jwks = [])],
    [
      'approverGroups.db-owners',
      (c: Record<string, unknown>) =>
        ((c.approverGroups as Record<string, Record<string, unknown>>)['db-owners']!.member = 'U0X'),
    ],
    ['defaults', (c: Record<string, unknown>) => ((c.defaults as Record<string, unknown>).quorum = 2)],
  ])('rejects an unknown key in %s, naming it', (path, addUnknown) => {
    const config = raw() as unknown as Record<string, unknown>;
    addUnknown(config);
    const message = expectRejected(config, path);
    expect(message).toMatch(/unknown key\(s\) (approvers|channel|jwks|member|quorum) /);
  });

  it('names an unknown key before the key it was meant to be (a typo is reported as a typo)', () => {
    const config = raw() as unknown as { approverGroups: Record<string, Record<string, unknown>> };
    const group = config.approverGroups['db-owners']!;
    group.member = group.members;
    delete group.members;
    expect(expectRejected(config, 'approverGroups.db-owners')).toBe(
      'stepup config: approverGroups.db-owners has unknown key(s) member (known: members, channel)',
    );
  });

  it('reports the first bad key in declaration order when several are bad', () => {
    const config = raw();
    config.slack.teamId = 'X0BAD';
    config.defaults.approvers = 'dba';
    expectRejected(config, 'slack.teamId');
  });

  it('refuses null for an optional key: null is not "absent"', () => {
    for (const key of ['people', 'awsTargets', 'operators', 'humanIdentity', 'agents', 'limits']) {
      expectRejected({ ...raw(), [key]: null }, key);
    }
    const config = raw();
    config.defaults.approvalTimeoutSeconds = null;
    expectRejected(config, 'defaults.approvalTimeoutSeconds');
  });

  it('refuses an empty operator given as a string', () => {
    expectRejected({ ...raw(), operators: '' }, 'operators[0]');
  });

  it('keeps a person or an AWS audience named "__proto__" as an ordinary key of a null-prototype record', () => {
    // As JSON.parse reads it: an own "__proto__" key (an object literal would set the prototype).
    const config = {
      ...raw(),
      people: JSON.parse('{"__proto__": "U0PROTO"}') as unknown,
      awsTargets: JSON.parse('{"__proto__": {"roleArn": "arn:aws:iam::111122223333:role/proto"}}') as unknown,
    };
    const parsed = parseConfig(config);
    expect(Object.getPrototypeOf(parsed.people)).toBeNull();
    expect(Object.keys(parsed.people)).toEqual(['__proto__']);
    expect(parsed.people['__proto__']).toBe('U0PROTO');
    expect(Object.keys(parsed.awsTargets)).toEqual(['__proto__']);
    expect(parseConfig(JSON.parse(serializeConfig(parsed)))).toEqual(parsed);
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

describe('serializeConfig: the config survives the trip into STEPUP_CONFIG_JSON and back', () => {
  const roundTrip = (config: ReturnType<typeof parseConfig>) =>
    parseConfig(JSON.parse(serializeConfig(config)));

  const cases: Record<string, unknown> = {
    'the sample stepup.config.json': example,
    'no operators, people or humanIdentity keys': { ...raw(), people: undefined },
    'empty operators and people': { ...raw(), operators: [], people: {} },
    'one operator as a string': { ...raw(), operators: 'ops-bot' },
    'operators as a list': { ...raw(), operators: ['ops-bot', 'repo:org/ops:*'] },
    'a single audience as a string': { ...raw(), auth: { issuer: 'https://i.example', audience: 'x' } },
    'defaults left to their defaults': { ...raw(), defaults: { approvers: 'db-owners' } },
    'a human identity provider': {
      ...raw(),
      humanIdentity: {
        issuer: 'https://idp.example',
        audience: 'stepup',
        jwksUri: 'https://idp.example/jwks',
      },
    },
    'AWS targets, with and without allowed actions': {
      ...raw(),
      awsTargets: {
        'aws:prod-data': {
          roleArn: 'arn:aws:iam::111122223333:role/stepup-prod-data',
          actions: ['dynamodb:DeleteTable'],
        },
        'aws:exports': { roleArn: 'arn:aws:iam::111122223333:role/stepup-exports' },
      },
    },
    'group names that are Object.prototype keys': {
      ...raw(),
      approverGroups: { ...raw().approverGroups, constructor: { members: ['U0X'], channel: 'C0X' } },
    },
  };

  for (const [name, input] of Object.entries(cases)) {
    it(`round-trips ${name}`, () => {
      const parsed = parseConfig(input);
      expect(roundTrip(parsed)).toEqual(parsed);
      expect(roundTrip(roundTrip(parsed))).toEqual(parsed);
    });
  }

  it('refuses an AWS target that is not a role ARN, or allowed actions that are not IAM actions', () => {
    const target = (value: unknown) => () => parseConfig({ ...raw(), awsTargets: { 'aws:prod': value } });
    expect(target({ roleArn: 'arn:aws:iam::111122223333:user/alice' })).toThrow(
      'awsTargets.aws:prod.roleArn must be an IAM role ARN',
    );
    expect(target({ roleArn: 'arn:aws:iam::111122223333:role/r', actions: ['*'] })).toThrow(
      'awsTargets.aws:prod.actions[0] must be an IAM action or a prefix ending in *',
    );
    expect(target({ roleArn: 'arn:aws:iam::111122223333:role/r', extra: 1 })).toThrow('unknown key(s) extra');
    expect(parseConfig(raw()).awsTargets).toEqual({});
  });

  it('an empty operators list means nobody may use the kill switch', () => {
    expect(parseConfig({ ...raw(), operators: [] }).operators).toEqual([]);
  });
});

describe('parseConfig: several workload issuers (auth.issuers)', () => {
  const GITHUB = 'https://token.actions.githubusercontent.com';
  const SPIRE = 'https://oidc.spire.example.org';
  const agent = {
    name: 'refunds',
    team: 'payments',
    owners: ['U0JUDY'],
    subPattern: 'spiffe://example.org/*',
  };
  const withIssuers = (auth: unknown, admit: unknown[] = []) => ({ ...raw(), auth, agents: { admit } });

  it('keeps each issuer with its own audiences and optional jwksUri; rules name their issuer', () => {
    const config = parseConfig(
      withIssuers(
        {
          issuers: [
            { issuer: GITHUB, audience: 'stepup' },
            { issuer: SPIRE, audience: ['stepup-spiffe'], jwksUri: `${SPIRE}/keys` },
          ],
        },
        [{ ...agent, issuer: SPIRE }],
      ),
    );
    expect(config.auth.issuers).toEqual([
      { issuer: GITHUB, audience: ['stepup'] },
      { issuer: SPIRE, audience: ['stepup-spiffe'], jwksUri: `${SPIRE}/keys` },
    ]);
    expect(parseConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
  });

  it.each([
    [{ issuers: [] }, 'auth.issuers must be a non-empty array'],
    [{ issuers: [{ issuer: GITHUB }] }, 'auth.issuers[0].audience must be a string or a non-empty array'],
    [
      { issuers: [{ issuer: 'http://idp.example', audience: 'x' }] },
      'auth.issuers[0].issuer must be an https:// URL',
    ],
    [{ issuers: [{ issuer: GITHUB, audience: 'x', jwks: 'y' }] }, 'auth.issuers[0] has unknown key(s) jwks'],
    [{ issuers: [{ issuer: GITHUB, audience: 'x' }], issuer: GITHUB }, 'auth has issuers beside'],
    [
      {
        issuers: [
          { issuer: GITHUB, audience: 'x' },
          { issuer: GITHUB, audience: 'y' },
        ],
      },
      'auth.issuers names',
    ],
  ])('rejects auth %j', (auth, message) => {
    expectRejected(withIssuers(auth), message);
  });

  it('accepts http:// issuers on loopback only (a local provider)', () => {
    const local = 'http://127.0.0.1:8443';
    expect(parseConfig(withIssuers({ issuer: local, audience: 'x' })).auth.issuers[0]?.issuer).toBe(local);
  });

  it('with several issuers each rule names one of them', () => {
    const two = {
      issuers: [
        { issuer: GITHUB, audience: 'stepup' },
        { issuer: SPIRE, audience: 'spiffe' },
      ],
    };
    expectRejected(withIssuers(two, [agent]), 'agents.admit[0] must name its issuer: auth has several');
    expectRejected(
      withIssuers(two, [{ ...agent, issuer: 'https://elsewhere.example' }]),
      'agents.admit[0].issuer must be one of auth.issuers',
    );
  });
});
