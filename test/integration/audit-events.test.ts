import { describe, expect, it } from 'vitest';
import { runCommand } from '../../client/cli/main';
import type { LocalRuntime } from '../../local/runtime';
import { until } from '../helpers/wait';
import { Api, eventually, slackMessage, testConfig, useTestRuntime, workflowDone } from './support';

const operator = 'sre-oncall';

interface ListedEvent {
  readonly auth_req_id: string;
  readonly agent: string;
  readonly action: string;
  readonly type: string;
  readonly at: string;
  readonly actor: string;
  readonly detail?: Record<string, unknown>;
}

describe('GET /v1/audit/events: every agent’s events, for operators', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  let sre: string;
  useTestRuntime(
    async (started) => {
      ({ runtime, api, agent } = started);
      sre = await runtime.devToken(operator);
    },
    { ...testConfig(), operators: [operator] },
  );

  const list = async (query = '') => {
    const response = await api.get(`/v1/audit/events${query}`, sre);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as { events: ListedEvent[]; cursor?: string };
  };

  it('refuses anyone who is not an operator, before looking at the query', async () => {
    for (const query of ['', '?limit=nonsense']) {
      const response = await api.get(`/v1/audit/events${query}`, agent);
      expect(response.status).toBe(403);
      expect(response.body.error).toBe('forbidden');
    }
  });

  it('lists every agent’s events newest first, filtered, in pages', async () => {
    const other = await runtime.devToken('report-bot');
    const drop = await api.createRequest(agent);
    const rotate = await api.createRequest(other, { action: 'secrets:Rotate', resource: 'prod/api-key' });
    await slackMessage(runtime, drop);
    await slackMessage(runtime, rotate);

    const all = await list();
    const ids = new Set(all.events.map((event) => event.auth_req_id));
    expect(ids).toEqual(new Set([drop, rotate]));
    const times = all.events.map((event) => event.at);
    expect(times).toEqual([...times].sort().reverse());

    const byAgent = await list('?agent=report-bot');
    expect(new Set(byAgent.events.map((event) => event.auth_req_id))).toEqual(new Set([rotate]));
    expect(byAgent.events.map((event) => event.type)).toContain('requested');
    const byAction = await list(`?action=${encodeURIComponent('db:DropTable')}`);
    expect(new Set(byAction.events.map((event) => event.auth_req_id))).toEqual(new Set([drop]));

    // One request per page: two pages, the last without a cursor.
    const first = await list('?limit=1');
    expect(first.cursor).toBeDefined();
    const second = await list(`?limit=1&cursor=${first.cursor}`);
    expect(new Set([first.events[0]?.auth_req_id, second.events[0]?.auth_req_id])).toEqual(
      new Set([drop, rotate]),
    );
    expect(second.cursor).toBeUndefined();

    // A window after every event holds nothing; one ending before them too.
    expect((await list('?since=2999-01-01T00:00:00Z')).events).toEqual([]);
    expect((await list('?until=2000-01-01T00:00:00Z')).events).toEqual([]);
  });

  it('answers 400 naming the parameter, never echoing it', async () => {
    const cases: [string, RegExp][] = [
      ['?since=yesterday%3Cscript%3E', /^since must be an RFC 3339 date-time/],
      ['?until=2026-13-45T99:00:00Z', /^until must be an RFC 3339 date-time/],
      ['?limit=1000', /^limit must be an integer between 1 and 100/],
      ['?limit=0', /^limit/],
      ['?cursor=%2F%2F%2F', /^cursor must be a cursor this API returned/],
      [
        `?cursor=${Buffer.from('{"pk":{"S":"x"}}').toString('base64url')}`,
        /^cursor is not one this API returned/,
      ],
      ['?agent=%07bell', /^agent/],
      ['?mystery=%3Cscript%3E', /^1 unknown field; the accepted fields are agent, action/],
      ['?since=2026-12-02T10:00:00Z&until=2026-12-02T09:00:00Z', /^since must not be after until/],
    ];
    for (const [query, description] of cases) {
      const response = await api.get(`/v1/audit/events${query}`, sre);
      expect(response.status, query).toBe(400);
      expect(response.body.error).toBe('invalid_request');
      expect(response.body.error_description).toMatch(description);
      expect(JSON.stringify(response.body)).not.toMatch(/<script>|bell|mystery|yesterday/);
    }
  });

  it('stores refused clicks as audit events beside the request, which stays as it was', async () => {
    const id = await api.createRequest(agent);
    await slackMessage(runtime, id);
    const before = await runtime.store.get(id);
    // U0MALLORY is in no approver group; U0DAVE approves a db-owners request he may not decide.
    await runtime.click({ requestId: id, user: 'U0MALLORY', decision: 'approve' });
    await runtime.click({ requestId: id, user: 'U0DAVE', decision: 'deny' });
    const refused = await eventually(async () => {
      const events = (await list(`?agent=deploy-bot`)).events.filter(
        (event) => event.auth_req_id === id && event.type === 'vote_refused',
      );
      return events.length === 2 ? events : undefined;
    });
    expect(refused.map((event) => [event.actor, event.detail])).toEqual(
      expect.arrayContaining([
        ['slack:T0EXAMPLE/U0MALLORY', { decision: 'approve', refusal: 'not_an_approver' }],
        ['slack:T0EXAMPLE/U0DAVE', { decision: 'deny', refusal: 'not_an_approver' }],
      ]),
    );
    expect(await runtime.store.get(id)).toEqual(before);

    // The request goes on as if nothing happened, and its chain verifies.
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
    await workflowDone(runtime, id);
    await runtime.click({ requestId: id, user: 'U0BOB', decision: 'approve' });
    await eventually(async () => {
      const events = (await list()).events.filter(
        (event) => event.auth_req_id === id && event.detail?.refusal === 'already_decided',
      );
      return events.length === 1 || undefined;
    });
    const out: string[] = [];
    const code = await runCommand(
      ['audit', 'verify', id],
      { out: (line) => out.push(line), err: (line) => out.push(line) },
      { env: { STEPUP_URL: runtime.url, STEPUP_TOKEN: agent } },
    );
    expect({ code, out }).toEqual({ code: 0, out: [expect.stringMatching(/^ok: \d+ events chained$/)] });
  });

  it('stepup audit lists them, as JSON too, and --follow prints new ones until interrupted', async () => {
    const env = { STEPUP_URL: runtime.url, STEPUP_TOKEN: sre };
    const lines: string[] = [];
    const output = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    expect(await runCommand(['audit', '--agent', 'report-bot', '--json'], output, { env })).toBe(0);
    const listed = lines.map((line) => JSON.parse(line) as ListedEvent);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((event) => event.agent === 'report-bot')).toBe(true);
    // Oldest first: the newest event ends the output.
    const times = listed.map((event) => event.at);
    expect(times).toEqual([...times].sort());

    lines.length = 0;
    const stop = new AbortController();
    const following = runCommand(['audit', '--follow', '--agent', 'late-bot'], output, {
      env,
      signal: stop.signal,
    });
    const late = await api.createRequest(await runtime.devToken('late-bot'));
    await until(
      () => lines.some((line) => line.includes(late) && line.includes('requested')) || undefined,
      'the followed request',
    );
    stop.abort();
    expect(await following).toBe(130);
    expect(lines.filter((line) => line.includes(' requested ')).length).toBe(1);

    const refused: string[] = [];
    const asAgent = { out: (l: string) => refused.push(l), err: (l: string) => refused.push(l) };
    expect(await runCommand(['audit'], asAgent, { env: { ...env, STEPUP_TOKEN: agent } })).toBe(1);
    expect(refused.join('\n')).toMatch(/forbidden: only operators/);
  });
});
