import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentAdmission, matchesSubPattern, parseAgents } from '../../lambdas/domain/agent-admission';
import { parseConfig } from '../../lambdas/domain/config';
import { expectStepUpError, thrownBy } from './support/fixtures';

const example = JSON.parse(readFileSync(resolve(__dirname, '../../stepup.config.json'), 'utf8')) as Record<
  string,
  unknown
>;

const MAIN = 'repo:example-org/example-repo:ref:refs/heads/main';

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
        { sub: MAIN },
        { subPattern: 'repo:example-org/example-repo:*' },
        { claims: { repository_owner: 'example-org' } },
      ],
    });
    expect(agents.admit).toEqual([
      { sub: MAIN },
      { subPattern: 'repo:example-org/example-repo:*' },
      { claims: { repository_owner: 'example-org' } },
    ]);
  });

  it('names gateways, which are admitted by their exact sub and may ask AuthZEN about other agents', () => {
    const agents = parseAgents({ admit: [{ sub: MAIN }], gateways: ['mcp-gateway'] });
    expect(agents).toEqual({ admit: [{ sub: MAIN }], gateways: ['mcp-gateway'] });
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
    [{ admit: [{}] }, 'exactly one of sub, subPattern, claims (got none)'],
    [
      { admit: [{ sub: 'a', subPattern: 'b*' }] },
      'exactly one of sub, subPattern, claims (got sub, subPattern)',
    ],
    [{ admit: [{ regex: '.*' }] }, 'agents.admit[0] must have exactly one'],
    [{ admit: [{ sub: '' }] }, 'agents.admit[0].sub must be a non-empty string'],
    [{ admit: [{ sub: MAIN }, { subPattern: 7 }] }, 'agents.admit[1].subPattern must be a non-empty string'],
    [{ admit: [{ subPattern: '*' }] }, 'must not admit every sub'],
    [{ admit: [{ subPattern: '**' }] }, 'must not admit every sub'],
    [{ admit: [{ claims: {} }] }, 'agents.admit[0].claims must be a non-empty object'],
    [{ admit: [{ claims: ['x'] }] }, 'agents.admit[0].claims must be a non-empty object'],
    [{ admit: [{ claims: { repository_owner: '' } }] }, 'claims.repository_owner must be a non-empty string'],
    [{ admit: [{ claims: { repository_owner: 1 } }] }, 'claims.repository_owner must be a non-empty string'],
    [{ admit: [{ claims: { 'bad claim': 'x' } }] }, 'is not a valid claim name'],
  ])('rejects %j', (raw, mentions) => expectRejected(raw, mentions));

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
      admit: [{ claims: { repository_owner: 'example-org', repository: 'example-org/example-repo' } }],
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
    expect(new AgentAdmission({ admit: [{ subPattern: 'a:*' }] }).admits({})).toBe(false);
  });
});
