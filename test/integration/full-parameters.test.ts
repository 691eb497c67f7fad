import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { SHOW_PARAMETERS_ACTION_ID } from '../../lambdas/adapters/slack/parameters-message';
import { Api, eventually, slackMessage, useTestRuntime } from './support';

/** What the plain-text sections of an ephemeral say, joined (the full parameters span several). */
const sectionTexts = (blocks: readonly Record<string, unknown>[] | undefined) =>
  (blocks ?? []).map((block) => (block.text as { text: string }).text);

describe('"Show full parameters": approvers read capped parameters in full, privately', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  useTestRuntime((started) => ({ runtime, api, agent } = started));

  const parameters = { sql: `DELETE FROM orders WHERE id IN (${'1, '.repeat(1500)}1) -- <!channel>` };

  async function click(requestId: string, user: string) {
    const message = await slackMessage(runtime, requestId);
    const before = runtime.slack!.ephemerals.length;
    const signed = runtime.slack!.clickButton(message, SHOW_PARAMETERS_ACTION_ID, user);
    const response = await fetch(`${runtime.url}/slack/events`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    expect(response.status).toBe(200);
    return eventually(
      () => runtime.slack!.ephemerals.slice(before).find((e) => e.user === user),
      `a private answer to ${user}`,
    );
  }

  it('an approver of the request gets them in full, escaped, with their digest; nothing changes', async () => {
    const requestId = await api.createRequest(agent, { parameters });
    await slackMessage(runtime, requestId);
    const before = await runtime.store.get(requestId);
    const answer = await click(requestId, 'U0ALICE');
    const [title, ...pieces] = sectionTexts(answer.blocks);
    expect(title).toContain(`request ${requestId}`);
    expect(title).toContain(before!.parameters!.sha256);
    expect(pieces.join('')).toBe(
      JSON.stringify(parameters, null, 2).replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    );
    expect(answer.blocks!.every((b) => (b.text as { type: string }).type === 'plain_text')).toBe(true);
    expect(await runtime.store.get(requestId)).toEqual(before);
  });

  it('anyone else is told privately who may read them, and reads nothing', async () => {
    const requestId = await api.createRequest(agent, { parameters, resource: 'prod/orders-archive' });
    const answer = await click(requestId, 'U0MALLORY');
    expect(answer.text).toBe("Only members of db-owners can read this request's parameters.");
    expect(answer.blocks).toBeUndefined();
  });
});
