import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import type { StandInMessage } from '../../local/slack-stand-in';
import { OPEN_DIGESTED_ACTION_PREFIX } from '../../lambdas/adapters/slack/digest-message';
import { APPROVAL_EVENT_TYPE, DIGEST_EVENT_TYPE } from '../../lambdas/adapters/slack/slack-notifier';
import { fixedClock } from '../unit/support/fixtures';
import { Api, eventually, slackMessage, testConfig, useTestRuntime } from './support';

const drop = (resource: string) => ({
  action: 'db:DeleteRows',
  resource,
  audience: 'orders-db',
  justification: 'remove the rows of the cancelled import',
});

/** The stand-in's messages of one kind (approval or digest) posted for `ids`. */
function postedFor(runtime: LocalRuntime, eventType: string): StandInMessage[] {
  return (runtime.slack?.messages ?? []).filter((m) => m.metadata?.event_type === eventType);
}

const approvalsOf = (runtime: LocalRuntime, ids: ReadonlySet<string>) =>
  postedFor(runtime, APPROVAL_EVENT_TYPE).filter((m) =>
    ids.has((m.metadata?.event_payload as { request_id: string }).request_id),
  );

/** The request ids a digest message lists (its entries' "Open" buttons, or their text once decided). */
const listed = (message: StandInMessage) =>
  message.blocks.filter((b) => b.type === 'section').map((b) => JSON.stringify(b));

const openButtons = (message: StandInMessage) =>
  message.blocks
    .map((b) => b.accessory as { action_id?: string; value?: string } | undefined)
    .filter((a) => a?.action_id?.startsWith(OPEN_DIGESTED_ACTION_PREFIX))
    .map((a) => a?.value as string);

describe('pages per approver group per minute: the rest in one digest, each still approvable', () => {
  let runtime: LocalRuntime;
  let api: Api;

  // One minute for the whole file: the limit counts per UTC minute, and the test must not depend
  // on where a minute boundary falls.
  useTestRuntime(
    (started) => ({ runtime, api } = started),
    testConfig({ limits: { deduplicate: true, pagesPerGroupPerMinute: 5 } }),
    { clock: fixedClock(new Date()) },
  );

  it('50 concurrent requests: exactly 5 messages, 45 in one digest; Open, then Approve, shows in it', async () => {
    const agent = await runtime.devToken('digest-bot');
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => api.postJson('/v1/requests', drop(`prod/db/digest-${i}`), agent)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(202));
    const ids = new Set(answers.map((a) => a.body.auth_req_id as string));
    expect(ids.size).toBe(50);

    const digest = await eventually(() => {
      const [message, ...others] = postedFor(runtime, DIGEST_EVENT_TYPE);
      return message && others.length === 0 && openButtons(message).length === 45 ? message : undefined;
    }, 'a digest listing 45 requests');
    await eventually(() => (approvalsOf(runtime, ids).length === 5 ? true : undefined), '5 messages');
    const paged = new Set(
      approvalsOf(runtime, ids).map((m) => (m.metadata?.event_payload as { request_id: string }).request_id),
    );
    const digested = new Set(openButtons(digest));
    // Every request is either paged on its own or listed in the digest, never both, never neither.
    expect([...paged, ...digested].sort()).toEqual([...ids].sort());
    expect(postedFor(runtime, DIGEST_EVENT_TYPE)).toHaveLength(1);
    expect(digest.channel).toBe('C0APPROVALS');
    expect(listed(digest)[0]).toContain('[PROD]: db:DeleteRows on prod/db/digest-');

    // Open (twice: a double click) posts the request's own message once; Approve there decides it.
    const [chosen] = [...digested];
    if (!chosen || !runtime.slack) throw new Error('nothing digested');
    for (let i = 0; i < 2; i++) {
      const click = runtime.slack.clickButton(digest, `${OPEN_DIGESTED_ACTION_PREFIX}${chosen}`, 'U0ALICE');
      const answered = await fetch(`${runtime.url}/slack/events`, {
        method: 'POST',
        headers: click.headers,
        body: click.body,
      });
      expect(answered.status).toBe(200);
    }
    await slackMessage(runtime, chosen);
    expect(approvalsOf(runtime, new Set([chosen]))).toHaveLength(1);
    // Many deletions within the hour: the example policy `burst-of-deletes` asks two owners.
    await runtime.click({ requestId: chosen, user: 'U0ALICE', decision: 'approve' });
    await runtime.click({ requestId: chosen, user: 'U0BOB', decision: 'approve' });
    await eventually(async () =>
      (await runtime.store.get(chosen))?.status === 'APPROVED' ? true : undefined,
    );

    // The digest shows the outcome, and the entry has no button left.
    const shown = await eventually(() => {
      const now = postedFor(runtime, DIGEST_EVENT_TYPE)[0];
      return now && openButtons(now).length === 44 ? now : undefined;
    }, 'the digest showing the approval');
    expect(openButtons(shown)).not.toContain(chosen);
    expect(listed(shown).filter((text) => text.includes('Approved'))).toHaveLength(1);
  });
});
