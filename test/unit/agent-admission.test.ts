import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AgentAdmission,
  agentProfileOf,
  matchesSubPattern,
  parseAgents,
} from '../../lambdas/domain/agents/agent-admission';
import { parseConfig } from '../../lambdas/domain/config/config';
import { registeredAgent } from '../helpers/registered-agent';
import { expectStepUpError, thrownBy } from './support/fixtures';

const example = JSON.parse(readFileSync(resolve(__dirname, '../../stepup.config.json'), 'utf8')) as Record<
  string,
  unknown
>;

const MAIN = 'repo:example-org/example-repo:ref:refs/heads/main';

let named = 0;
/** A raw rule with the registry keys an admission test is not about. */
const r = (match: Record<string, unknown>) => ({
  name: `agent-${++named}`,
  team: 'tests',
  owners: ['U0OWNER'],
  ...match,
});
/** The parsed rules, without their registry keys. */
const matchesOf = (rules: readonly object[]) =>
  rules.map((rule) => {
    const { name: _n, team: _t, owners: _o, ...match } = rule as Record<string, unknown>;
    return match;
  });

function expectRejected(raw: unknown, mentions: string): void {
  expectStepUpError(
    thrownBy(() => parseAgents(raw)),
    'invalid_config',
    500,
    mentions,
  );
}

describe('config agents.admit: validation', () => {
  it('accepts the three kinds of rule', () => {
    const agents = parseAgents({
      admit: [
        r({ sub: MAIN }),
        r({ subPattern: 'repo:example-org/example-repo:*' }),
        r({ claims: { repository_owner: 'example-org' } }),
      ],
    });
    expect(matchesOf(agents.admit)).toEqual([
      { sub: MAIN },
      { subPattern: 'repo:example-org/example-repo:*' },
      { claims: { repository_owner: 'example-org' } },
    ]);
  });

  it('names gateways, which are admitted by their exact sub and may ask AuthZEN about other agents', () => {
    const agents = parseAgents({ admit: [r({ sub: MAIN })], gateways: ['mcp-gateway'] });
    expect({ ...agents, admit: matchesOf(agents.admit) }).toEqual({
      admit: [{ sub: MAIN }],
      gateways: ['mcp-gateway'],
    });
    const admission = new AgentAdmission(agents);
    expect(admission.admits({ sub: 'mcp-gateway' })).toBe(true);
    expect([...admission.gateways]).toEqual(['mcp-gateway']);
    expect([...new AgentAdmission(parseAgents({})).gateways]).toEqual([]);
  });

  it.each([
    [{ gateways: 'mcp-gateway' }, 'agents.gateways must be an array'],
    [{ gateways: [''] }, 'agents.gateways[0] must be a non-empty string'],
  ])('refuses gateways %j', (raw, message) => {
    expect(() => parseAgents(raw)).toThrow(message);
  });

  it('absent or empty admits nobody', () => {
    expect(parseAgents(undefined)).toEqual({ admit: [] });
    expect(parseAgents({})).toEqual({ admit: [] });
    expect(parseAgents({ admit: [] })).toEqual({ admit: [] });
  });

  it.each([
    [[], 'agents must be an object'],
    [{ allow: [] }, 'unknown key(s) allow'],
    [{ admit: { sub: 'x' } }, 'agents.admit must be an array'],
    [{ admit: ['repo:x'] }, 'agents.admit[0] must be an object'],
    [{ admit: [r({})] }, 'exactly one of sub, subPattern, claims (got none)'],
    [
      { admit: [r({ sub: 'a', subPattern: 'b*' })] },
      'exactly one of sub, subPattern, claims (got sub, subPattern)',
    ],
    [{ admit: [r({ regex: '.*' })] }, 'agents.admit[0] has unknown key(s) regex'],
    [{ admit: [r({ sub: '' })] }, 'agents.admit[0].sub must be a non-empty string'],
    [
      { admit: [r({ sub: MAIN }), r({ subPattern: 7 })] },
      'agents.admit[1].subPattern must be a non-empty string',
    ],
    [{ admit: [r({ subPattern: '*' })] }, 'must not admit every sub'],
    [{ admit: [r({ subPattern: '**' })] }, 'must not admit every sub'],
    [{ admit: [r({ claims: {} })] }, 'agents.admit[0].claims must be a non-empty object'],
    [{ admit: [r({ claims: ['x'] })] }, 'agents.admit[0].claims must be a non-empty object'],
    [
      { admit: [r({ claims: { repository_owner: '' } })] },
      'claims.repository_owner must be a non-empty string',
    ],
    [
      { admit: [r({ claims: { repository_owner: 1 } })] },
      'claims.repository_owner must be a non-empty string',
    ],
    [{ admit: [r({ claims: { 'bad claim': 'x' } })] }, 'is not a valid claim name'],
    [{ admit: [r({ sub: MAIN, issuer: '' })] }, 'agents.admit[0].issuer must be a non-empty string'],
  ])('rejects %j', (raw, mentions) => expectRejected(raw, mentions));

  it('a rule from before the registry is told what to add', () => {
    expectRejected(
      { admit: [{ sub: MAIN }] },
      'agents.admit[0] must register the agent: add "name", "team", "owners" (name: unique id like "deploy-bot"',
    );
    expectRejected({ admit: [{ sub: MAIN, name: 'deploy-bot', team: 'x' }] }, 'add "owners"');
  });

  const registered = { sub: MAIN, name: 'deploy-bot', team: 'payments', owners: ['U0ALICE'] };
  it.each([
    [{ ...registered, name: 'Deploy Bot' }, 'agents.admit[0].name must be 1-64 characters'],
    [{ ...registered, name: 7 }, 'agents.admit[0].name must be'],
    [{ ...registered, team: '' }, 'agents.admit[0].team must be 1-64 characters'],
    [{ ...registered, team: 'pay ments' }, 'agents.admit[0].team must be'],
    [{ ...registered, owners: [] }, 'agents.admit[0].owners must be a non-empty array of Slack user ids'],
    [{ ...registered, owners: 'U0ALICE' }, 'agents.admit[0].owners must be a non-empty array'],
    [{ ...registered, owners: ['alice@example.com'] }, 'agents.admit[0].owners[0] must be a Slack user id'],
    [{ ...registered, owners: ['C0CHANNEL'] }, 'agents.admit[0].owners[0] must be a Slack user id'],
    [{ ...registered, owners: ['U0ALICE', 'U0ALICE'] }, 'agents.admit[0].owners lists an owner twice'],
    [{ ...registered, description: '' }, 'agents.admit[0].description must be 1-200 characters'],
    [{ ...registered, description: 'two\nlines' }, 'agents.admit[0].description must be'],
    [{ ...registered, description: 'x'.repeat(201) }, 'agents.admit[0].description must be'],
  ])('rejects the registry entry %j', (rule, mentions) => expectRejected({ admit: [rule] }, mentions));

  it('refuses a name registered twice', () => {
    expectRejected(
      { admit: [registered, { ...registered, sub: 'other' }] },
      'agents.admit[1].name "deploy-bot" is registered twice',
    );
  });

  it('keeps the registry entry: name, team, owners, description', () => {
    const agents = parseAgents({ admit: [{ ...registered, description: 'Deploys main' }] });
    expect(agents.admit).toEqual([{ ...registered, description: 'Deploys main' }]);
  });

  it('the example config admits only the example repository', () => {
    const config = parseConfig(example);
    const admission = new AgentAdmission(config.agents, config.operators);
    expect(admission.admits({ sub: MAIN })).toBe(true);
    expect(admission.admits({ sub: 'repo:example-org/example-repo:environment:prod' })).toBe(true);
    expect(admission.admits({ sub: 'repo:example-org/example-repo:pull_request' })).toBe(false);
    expect(admission.admits({ sub: 'repo:stranger/repo:ref:refs/heads/main' })).toBe(false);
    expect(admission.admits({ sub: 'deploy-bot' })).toBe(false);
  });

  it('round-trips through the STEPUP_CONFIG_JSON serialisation, empty lists included', () => {
    for (const agents of [undefined, { admit: [] }, example.agents]) {
      const config = parseConfig({ ...example, operators: [], agents });
      const again = parseConfig(JSON.parse(JSON.stringify(config)));
      expect(again.agents).toEqual(config.agents);
    }
  });
});

describe('subPattern: `*` is any run of characters, anchored at both ends, nothing else is special', () => {
  it.each([
    ['repo:example-org/example-repo:*', MAIN, true],
    ['repo:example-org/example-repo:*', 'repo:example-org/example-repo:', true],
    ['repo:example-org/example-repo:*', 'repo:example-org/example-repo-evil:ref:refs/heads/main', false],
    ['repo:example-org/example-repo:*', `x${MAIN}`, false],
    ['repo:example-org/*:ref:refs/heads/main', MAIN, true],
    ['repo:example-org/*:ref:refs/heads/main', 'repo:example-org/x:ref:refs/heads/main-2', false],
    ['repo:*/example-repo:*:main', MAIN, false],
    ['repo:*/example-repo:*/main', MAIN, true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false],
    ['repo:x.y', 'repo:xzy', false],
    ['repo:[ab]', 'repo:a', false],
    ['exact', 'exact', true],
  ])('%s vs %s → %s', (pattern, value, expected) => {
    expect(matchesSubPattern(pattern, value)).toBe(expected);
  });
});

describe('AgentAdmission', () => {
  it('claims rules need every listed claim to be exactly equal (strings only)', () => {
    const admission = new AgentAdmission({
      admit: [
        registeredAgent({
          claims: { repository_owner: 'example-org', repository: 'example-org/example-repo' },
        }),
      ],
    });
    const claims = { sub: 'repo:example-org/example-repo:ref:refs/heads/x' };
    expect(
      admission.admits({
        ...claims,
        repository_owner: 'example-org',
        repository: 'example-org/example-repo',
      }),
    ).toBe(true);
    expect(
      admission.admits({ ...claims, repository_owner: 'example-org', repository: 'example-org/other' }),
    ).toBe(false);
    expect(admission.admits({ ...claims, repository_owner: 'example-org' })).toBe(false);
    expect(
      admission.admits({
        ...claims,
        repository_owner: ['example-org'],
        repository: 'example-org/example-repo',
      }),
    ).toBe(false);
  });

  it('admits configured operators by exact sub, and nobody without rules', () => {
    expect(new AgentAdmission({ admit: [] }, ['sre-bot']).admits({ sub: 'sre-bot' })).toBe(true);
    expect(new AgentAdmission({ admit: [] }).admits({ sub: 'sre-bot' })).toBe(false);
    expect(new AgentAdmission({ admit: [registeredAgent({ subPattern: 'a:*' })] }).admits({})).toBe(false);
  });
});

describe('the agent registry: who an admitted agent is', () => {
  const config = parseConfig(example);

  it('looks an agent up by its sub (exact and pattern rules), as policies and owner messages do', () => {
    expect(agentProfileOf(config.agents, MAIN)).toEqual({
      name: 'deploy-bot',
      team: 'platform',
      owners: ['U0ALICE'],
      description: 'Deploys and migrates from the main branch of example-repo',
    });
    expect(agentProfileOf(config.agents, 'repo:example-org/example-repo:environment:prod')).toMatchObject({
      name: 'release-bot',
      team: 'payments',
      owners: ['U0JUDY', 'U0KEN'],
    });
    expect(agentProfileOf(config.agents, 'repo:stranger/repo:ref:refs/heads/main')).toBeUndefined();
  });

  it('operators, gateways and extra identities are admitted without a registry entry', () => {
    const admission = new AgentAdmission(
      { admit: [], gateways: ['gw'] },
      ['sre-bot'],
      [{ claims: { iss: 'http://127.0.0.1/dev' } }],
    );
    expect(admission.admits({ sub: 'sre-bot' })).toBe(true);
    expect(admission.admits({ sub: 'gw' })).toBe(true);
    expect(admission.admits({ sub: 'anyone', iss: 'http://127.0.0.1/dev' })).toBe(true);
    expect(admission.profileOf({ sub: 'sre-bot' })).toBeUndefined();
  });

  it('a rule bound to an issuer admits only that issuer’s tokens; the sub lookup ignores the issuer', () => {
    const spiffe = 'spiffe://example.org/ns/payments/sa/refunds';
    const agents = parseAgents({
      admit: [
        {
          name: 'refunds',
          team: 'payments',
          owners: ['U0JUDY'],
          subPattern: 'spiffe://example.org/ns/payments/*',
          issuer: 'https://oidc.spire.example.org',
        },
      ],
    });
    const admission = new AgentAdmission(agents);
    expect(admission.admits({ sub: spiffe, iss: 'https://oidc.spire.example.org' })).toBe(true);
    expect(admission.admits({ sub: spiffe, iss: 'https://token.actions.githubusercontent.com' })).toBe(false);
    expect(admission.profileOf({ sub: spiffe, iss: 'https://oidc.spire.example.org' })?.name).toBe('refunds');
    // An AuthZEN subject comes without its token: admitted by its sub, whatever the issuer.
    expect(admission.admitsSub(spiffe)).toBe(true);
    expect(admission.admitsSub('spiffe://example.org/ns/other/sa/x')).toBe(false);
    expect(agentProfileOf(agents, spiffe)?.team).toBe('payments');
  });

  it('a claims rule is found by its claims at admission, not by a sub alone', () => {
    const agents = parseAgents({
      admit: [
        {
          name: 'org-bots',
          team: 'platform',
          owners: ['U0ALICE'],
          claims: { repository_owner: 'example-org' },
        },
      ],
    });
    expect(new AgentAdmission(agents).profileOf({ sub: MAIN, repository_owner: 'example-org' })?.name).toBe(
      'org-bots',
    );
    expect(agentProfileOf(agents, MAIN)).toBeUndefined();
  });
});
