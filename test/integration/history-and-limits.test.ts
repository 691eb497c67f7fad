import { describe, expect, it } from 'vitest';
import { agentsCommand } from '../../client/cli/agents-command';
import type { LocalRuntime } from '../../local/runtime';
import { HISTORY_LEAVES } from '../../lambdas/domain/agents/history-use';
import { Api, eventually, slackMessage, testConfig, useTestRuntime, type JsonResponse } from './support';

const drop = (resource: string) => ({
  action: 'db:DeleteRows',
  resource,
  audience: 'orders-db',
  justification: 'remove the rows of the cancelled import',
});

function concurrently<T>(n: number, make: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => make(i)));
}

const statuses = (answers: readonly JsonResponse[]) =>
  answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});

describe('no approval fatigue: duplicates join, limits are exact under 50 concurrent requests', () => {
  let runtime: LocalRuntime;
  let api: Api;
  const history = () => runtime.history;

  useTestRuntime(
    (started) => ({ runtime, api } = started),
    testConfig({ limits: { deduplicate: true, pendingPerAgent: 10, requestsPerAgentPerHour: 20 } }),
  );

  it('50 concurrent identical requests: one request, one Slack message, 49 answers deduplicated', async () => {
    const agent = await runtime.devToken('dedupe-bot');
    const before = runtime.slack?.messages.length ?? 0;
    const answers = await concurrently(50, () => api.postJson('/v1/requests', drop('prod/db/orders'), agent));
    expect(statuses(answers)).toEqual({ 202: 50 });
    const ids = new Set(answers.map((a) => a.body.auth_req_id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.body.deduplicated === true)).toHaveLength(49);
    expect(new Set(answers.map((a) => a.body.binding_code)).size).toBe(1);
    const id = answers[0]?.body.auth_req_id as string;
    await slackMessage(runtime, id);
    expect((runtime.slack?.messages.length ?? 0) - before).toBe(1);
    const counted = await history().read(
      'dedupe-bot',
      'db:DeleteRows',
      'prod/db/orders',
      new Date(),
      HISTORY_LEAVES,
    );
    expect(counted.overall.last_hour.requests).toBe(1);
    expect(counted.overall.pending).toBe(1);
  });

  it('once decided, the same request is a new one again', async () => {
    const agent = await runtime.devToken('decided-bot');
    const first = await api.postJson('/v1/requests', drop('prod/db/refunds'), agent);
    const id = first.body.auth_req_id as string;
    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
    await eventually(async () => ((await runtime.store.get(id))?.status === 'APPROVED' ? true : undefined));
    const again = await api.postJson('/v1/requests', drop('prod/db/refunds'), agent);
    expect(again.status).toBe(202);
    expect(again.body.auth_req_id).not.toBe(id);
    expect(again.body.deduplicated).toBeUndefined();
  });

  it('pendingPerAgent 10, 50 concurrent distinct requests: exactly 10 pending, 40 refused with 429', async () => {
    const agent = await runtime.devToken('pending-bot');
    const answers = await concurrently(50, (i) => api.postJson('/v1/requests', drop(`prod/db/t${i}`), agent));
    expect(statuses(answers)).toEqual({ 202: 10, 429: 40 });
    const refused = answers.find((a) => a.status === 429);
    expect(refused?.body.error).toBe('too_many_requests');
    expect(typeof refused?.body.error_description).toBe('string');
    const counted = await history().read(
      'pending-bot',
      'db:DeleteRows',
      'prod/db/t0',
      new Date(),
      HISTORY_LEAVES,
    );
    expect(counted.overall.pending).toBe(10);
    // A refused request counts nowhere: not in the hour either.
    expect(counted.overall.last_hour.requests).toBe(10);
  });

  it('requestsPerAgentPerHour 20, 50 concurrent requests: exactly 20 created, 30 refused with Retry-After', async () => {
    const agent = await runtime.devToken('hourly-bot');
    const answers = await concurrently(50, (i) =>
      fetch(`${runtime.url}/v1/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}` },
        body: JSON.stringify({
          action: 'logs:Read',
          resource: `prod/app-${i}`,
          audience: 'logs',
          justification: 'read the logs',
        }),
      }),
    );
    const byStatus = statuses(answers.map((a) => ({ status: a.status, body: {} })));
    expect(byStatus).toEqual({ 200: 20, 429: 30 });
    const refused = answers.find((a) => a.status === 429);
    const retryAfter = Number(refused?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await refused?.json()).toMatchObject({ error: 'too_many_requests' });
    const counted = await history().read('hourly-bot', 'logs:Read', 'prod/app-0', new Date(), HISTORY_LEAVES);
    expect(counted.overall.last_hour).toMatchObject({ requests: 20, approved: 20 });
  });
});

describe('history in the decision: the example policies change decisions exactly at their thresholds', () => {
  let runtime: LocalRuntime;
  let api: Api;

  useTestRuntime((started) => ({ runtime, api } = started), testConfig({ operators: ['ops-bot'] }));

  it('the fourth row deletion within the hour needs two database owners; the third needs one', async () => {
    const agent = await runtime.devToken('burst-bot');
    const quorums: number[] = [];
    for (let i = 0; i < 4; i++) {
      const id = await api.createRequest(agent, drop(`prod/db/burst-${i}`));
      quorums.push((await runtime.store.get(id))?.requirements.quorum ?? -1);
    }
    expect(quorums).toEqual([1, 1, 1, 2]);
  });

  it('after three denied deletions in 24 hours the next is forbidden; other actions are still asked', async () => {
    const agent = await runtime.devToken('denied-bot');
    for (let i = 0; i < 3; i++) {
      const id = await api.createRequest(agent, drop(`prod/db/denied-${i}`));
      await slackMessage(runtime, id);
      await runtime.click({ requestId: id, user: 'U0BOB', decision: 'deny' });
      await eventually(async () => ((await runtime.store.get(id))?.status === 'DENIED' ? true : undefined));
    }
    const fourth = await api.postJson('/v1/requests', drop('prod/db/denied-3'), agent);
    expect(fourth.status).toBe(403);
    expect(fourth.body.policies).toEqual(['stop-deletes-after-denials']);
    const deploy = await api.postJson(
      '/v1/requests',
      { action: 'deploy:Deploy', resource: 'prod/web', audience: 'web', justification: 'release' },
      agent,
    );
    expect(deploy.status).toBe(202);
  });

  it('GET /v1/agents: operators see each agent’s counts and kill switch; anyone else gets 403', async () => {
    const operator = await runtime.devToken('ops-bot');
    const other = await runtime.devToken('burst-bot');
    expect((await api.get('/v1/agents', other)).status).toBe(403);
    await api.postForm('/v1/revoke', { agent: 'denied-bot' }, operator);
    const agents: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.get(`/v1/agents${cursor ? `?cursor=${cursor}` : ''}`, operator);
      expect(page.status).toBe(200);
      agents.push(...(page.body.agents as Record<string, unknown>[]));
      cursor = page.body.cursor as string | undefined;
    } while (cursor);
    const burst = agents.find((a) => a.agent === 'burst-bot');
    expect(burst).toMatchObject({
      pending: 4,
      last_24h: { requests: 4, approved: 0, denied: 0, expired: 0 },
      last_7d: { requests: 4 },
      kill_switch: null,
    });
    const denied = agents.find((a) => a.agent === 'denied-bot');
    expect(denied).toMatchObject({ last_24h: { requests: 5, denied: 4 }, pending: 0 });
    expect((denied?.kill_switch as Record<string, unknown>).operator).toBe('ops-bot');
    expect((await api.get('/v1/agents?cursor=bm90LWEtY3Vyc29y', operator)).status).toBe(400);
  });

  it('stepup agents prints the table, --json the answers; a non-operator exits 1', async () => {
    const lines: string[] = [];
    const output = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const env = { STEPUP_URL: runtime.url, STEPUP_TOKEN: await runtime.devToken('ops-bot') };
    expect(await agentsCommand([], output, { env })).toBe(0);
    expect(lines[0]).toMatch(/^AGENT\s+LAST ACTIVITY\s+PENDING/);
    expect(lines.find((l) => l.startsWith('burst-bot'))).toMatch(/\s4\s+4\/0\/0\/0\s+4\/0\/0\/0\s+-$/);
    lines.length = 0;
    expect(await agentsCommand(['--json'], output, { env })).toBe(0);
    expect((JSON.parse(lines.join('\n')) as { agent: string }[]).map((a) => a.agent)).toContain('denied-bot');
    lines.length = 0;
    const outsider = { ...env, STEPUP_TOKEN: await runtime.devToken('burst-bot') };
    expect(await agentsCommand([], output, { env: outsider })).toBe(1);
    expect(lines.join('\n')).toContain('forbidden');
  });
});
