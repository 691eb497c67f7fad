import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { SlackStandIn } from '../../local/slack-stand-in';
import { slackMessage, useTestRuntime, workflowDone, type Api } from './support';

const TOKEN = 'xoxb-test';
const auth = `Bearer ${TOKEN}`;
const buttons = (requestId: string) => [
  { type: 'actions', elements: [{ type: 'button', action_id: 'stepup_approve', value: requestId }] },
];

describe('the Slack stand-in does work per message, not per everything it holds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepup-stand-in-'));
  const file = join(dir, 'slack-stand-in.json');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('appends one line per post and per update, and a new stand-in replays them', () => {
    const slack = new SlackStandIn(TOKEN, 'secret', 'T0TEST', file);
    const posted = ['req-1', 'req-2', 'req-3'].map(
      (id) =>
        slack.handleApiCall('chat.postMessage', auth, { channel: 'C1', text: id, blocks: buttons(id) }).body
          .ts as string,
    );
    const before = readFileSync(file, 'utf8');
    slack.handleApiCall('chat.update', auth, { channel: 'C1', ts: posted[1], text: 'decided', blocks: [] });
    const after = readFileSync(file, 'utf8');
    // What was written stays as it was: the update is one more line.
    expect(after.startsWith(before)).toBe(true);
    expect(after.trim().split('\n')).toHaveLength(4);
    expect(
      slack.handleApiCall('chat.update', auth, { channel: 'C1', ts: 'nope', text: 'x', blocks: [] }).body,
    ).toEqual({ ok: false, error: 'message_not_found' });

    const reloaded = new SlackStandIn(TOKEN, 'secret', 'T0TEST', file);
    expect(reloaded.messages).toEqual(slack.messages);
    // Found by the request its buttons carried, also after the update removed them.
    expect(reloaded.messageFor('req-2')?.history.map((v) => v.text)).toEqual(['req-2', 'decided']);
    expect(reloaded.messageFor('req-9')).toBeUndefined();
  });

  it('still reads a file an older version wrote whole, and appends to it', () => {
    const old = join(dir, 'old.json');
    const message = { channel: 'C1', ts: '1.000001', text: 'old', blocks: buttons('req-old'), history: [] };
    writeFileSync(
      old,
      JSON.stringify({ messages: [{ ...message, history: [{ text: 'old', blocks: message.blocks }] }] }),
    );
    const slack = new SlackStandIn(TOKEN, 'secret', 'T0TEST', old);
    expect(slack.messageFor('req-old')?.text).toBe('old');
    slack.handleApiCall('chat.update', auth, { channel: 'C1', ts: '1.000001', text: 'new', blocks: [] });
    expect(new SlackStandIn(TOKEN, 'secret', 'T0TEST', old).messageFor('req-old')?.text).toBe('new');
  });

  it('a line cut short by a crash is dropped, and what came before is kept', () => {
    const torn = join(dir, 'torn.json');
    const slack = new SlackStandIn(TOKEN, 'secret', 'T0TEST', torn);
    slack.handleApiCall('chat.postMessage', auth, {
      channel: 'C1',
      text: 'kept',
      blocks: buttons('req-kept'),
    });
    writeFileSync(torn, `${readFileSync(torn, 'utf8')}{"post":{"chan`);
    const reloaded = new SlackStandIn(TOKEN, 'secret', 'T0TEST', torn);
    expect(reloaded.messages.map((m) => m.text)).toEqual(['kept']);
    reloaded.handleApiCall('chat.postMessage', auth, { channel: 'C1', text: 'next', blocks: [] });
    expect(new SlackStandIn(TOKEN, 'secret', 'T0TEST', torn).messages.map((m) => m.text)).toEqual([
      'kept',
      'next',
    ]);
  });
});

describe('the console state API sends what changed', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  useTestRuntime((started) => ({ runtime, api, agent } = started));

  const state = async (query = '') =>
    (await (await fetch(`${runtime.url}/console/api/state${query}`)).json()) as Record<string, unknown>;

  it('lists messages without their history, answers an unchanged revision in a few bytes, and sends again after a change', async () => {
    const requestId = await api.createRequest(agent);
    await slackMessage(runtime, requestId);
    const first = await state();
    const revision = first.revision as number;
    const listed = (first.messages as Record<string, unknown>[]).find((m) => m.request_id === requestId);
    expect(listed).toMatchObject({ versions: 1 });
    expect(listed).not.toHaveProperty('history');

    expect(await state(`?since=${revision}`)).toEqual({ unchanged: true, revision });
    // A malformed `since` is not an error: the whole state is sent.
    expect(await state('?since=abc')).toMatchObject({ revision });

    await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    await workflowDone(runtime, requestId);
    const next = await state(`?since=${revision}`);
    expect(next.revision).toBeGreaterThan(revision);
    expect(
      (next.messages as Record<string, unknown>[]).find((m) => m.request_id === requestId),
    ).toMatchObject({
      versions: 2,
    });

    // The request's own page has every version.
    const detail = (await (await fetch(`${runtime.url}/console/api/requests/${requestId}`)).json()) as {
      messages: { history: unknown[] }[];
    };
    expect(detail.messages[0]?.history).toHaveLength(2);
  });
});
