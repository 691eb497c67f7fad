import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import type { StandInMessage } from '../../local/slack-stand-in';
import { OPEN_DIGESTED_ACTION_PREFIX } from '../../lambdas/adapters/slack/digest-message';
import { APPROVAL_EVENT_TYPE, DIGEST_EVENT_TYPE } from '../../lambdas/adapters/slack/slack-notifier';
import type { Clock } from '../../lambdas/ports/clock';
import { Api, eventually, testConfig, useTestRuntime } from './support';

/**
 * Digested requests that end without a vote: cancelled, expired, and expired while the workflow's
 * last step was lost (the reconciler shows it). One page per group and minute, so every request
 * after the first of a minute is digested.
 */

const drop = (resource: string) => ({
  action: 'db:DeleteRows',
  resource,
  audience: 'orders-db',
  justification: 'remove the rows of the cancelled import',
});

/** A clock the test moves on (the reconciler completes only decisions older than a minute). */
function movableClock(): Clock & { advance(ms: number): void } {
  let now = Date.now();
  return { now: () => new Date(now), advance: (ms) => (now += ms) };
}

const digests = (runtime: LocalRuntime) =>
  (runtime.slack?.messages ?? []).filter((m) => m.metadata?.event_type === DIGEST_EVENT_TYPE);

/** The digest line of `requestId` (its Open button carries the id; a decided line names the resource). */
function lineOf(message: StandInMessage, resource: string): string | undefined {
  const block = message.blocks.find(
    (b) => b.type === 'section' && JSON.stringify(b).includes(`${resource}\\n`),
  );
  return block && JSON.stringify(block);
}

/** Waits until some digest's line for `resource` satisfies `shows`; answers that digest. */
const digestShowing = (runtime: LocalRuntime, resource: string, shows: (line: string) => boolean) =>
  eventually(() => {
    const message = digests(runtime).find((m) => {
      const line = lineOf(m, resource);
      return line !== undefined && shows(line);
    });
    return message && { ...message, blocks: [...message.blocks] };
  }, `a digest line for ${resource}`);

const pendingWithOpen = (line: string) =>
  line.startsWith('{"type":"section","text":{"type":"plain_text","text":"Pending') &&
  line.includes(OPEN_DIGESTED_ACTION_PREFIX);

async function digested(runtime: LocalRuntime, api: Api, agent: string, resource: string): Promise<string> {
  const answer = await api.postJson('/v1/requests', drop(resource), agent);
  expect(answer.status).toBe(202);
  await digestShowing(runtime, resource, pendingWithOpen);
  return answer.body.auth_req_id as string;
}

describe('a cancelled digested request', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  useTestRuntime(
    (started) => ({ runtime, api, agent } = started),
    testConfig({ limits: { pagesPerGroupPerMinute: 1 } }),
    { clock: movableClock() },
  );

  it('shows Cancelled in the digest; Open on the stale line answers the clicker and posts nothing', async () => {
    const first = await api.postJson('/v1/requests', drop('prod/db/paged'), agent);
    expect(first.status).toBe(202);
    const requestId = await digested(runtime, api, agent, 'prod/db/withdrawn');
    const stale = await digestShowing(runtime, 'prod/db/withdrawn', pendingWithOpen);

    const cancelled = await api.postJson(`/v1/requests/${requestId}/cancel`, {}, agent);
    expect(cancelled.status).toBe(200);
    const shown = await digestShowing(runtime, 'prod/db/withdrawn', (line) =>
      line.includes('"text":"Cancelled'),
    );
    expect(lineOf(shown, 'prod/db/withdrawn')).not.toContain(OPEN_DIGESTED_ACTION_PREFIX);
    const request = await runtime.store.get(requestId);
    expect(request?.events.map((e) => e.type)).toContain('outcome_notified');

    // A click on the line as it was before the update: nothing is posted, the clicker is told.
    if (!runtime.slack) throw new Error('no Slack stand-in');
    const posts = runtime.slack.messages.length;
    const click = runtime.slack.clickButton(stale, `${OPEN_DIGESTED_ACTION_PREFIX}${requestId}`, 'U0CAROL');
    const answered = await fetch(`${runtime.url}/slack/events`, {
      method: 'POST',
      headers: click.headers,
      body: click.body,
    });
    expect(answered.status).toBe(200);
    const told = await eventually(() => runtime.slack?.ephemerals.find((e) => e.user === 'U0CAROL'));
    expect(told).toEqual({
      channel: stale.channel,
      user: 'U0CAROL',
      text: expect.stringContaining('cancelled'),
    });
    expect(runtime.slack.messages).toHaveLength(posts);
    const ownMessages = runtime.slack.messages.filter(
      (m) =>
        m.metadata?.event_type === APPROVAL_EVENT_TYPE &&
        (m.metadata.event_payload as { request_id: string }).request_id === requestId,
    );
    expect(ownMessages).toEqual([]);
  });
});

describe('an expired digested request', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  const clock = movableClock();
  /** Requests whose NotifyOutcome step is lost (as if its Lambda crashed for good), and who saw it. */
  const lost = new Map<string, () => void>();
  const config = testConfig({ limits: { pagesPerGroupPerMinute: 1 } });
  useTestRuntime(
    (started) => ({ runtime, api, agent } = started),
    // Expiry is the workflow's own timer: short, so the test waits seconds, not the default window.
    { ...config, defaults: { ...config.defaults, approvalTimeoutSeconds: 10 } },
    {
      clock,
      wrapSteps: (steps) => ({
        ...steps,
        NotifyOutcome: async (event) => {
          const seen = lost.get(event.request_id);
          if (seen) return seen();
          return steps.NotifyOutcome(event);
        },
      }),
    },
  );

  it('shows Expired; when the last step was lost, the reconciler shows it', async () => {
    const first = await api.postJson('/v1/requests', drop('prod/db/paged-first'), agent);
    expect(first.status).toBe(202);
    const expiring = await digested(runtime, api, agent, 'prod/db/left-alone');
    let stepLost!: () => void;
    const lostStepRan = new Promise<void>((resolve) => (stepLost = resolve));
    const stranded = await api.postJson('/v1/requests', drop('prod/db/stranded'), agent);
    lost.set(stranded.body.auth_req_id as string, stepLost);
    await digestShowing(runtime, 'prod/db/stranded', pendingWithOpen);

    await digestShowing(runtime, 'prod/db/left-alone', (line) => line.includes('"text":"Expired'));
    expect((await runtime.store.get(expiring))?.status).toBe('EXPIRED');

    // The stranded request expired too, but its line still says Pending: its last step never ran.
    await lostStepRan;
    const strandedId = stranded.body.auth_req_id as string;
    expect((await runtime.store.get(strandedId))?.status).toBe('EXPIRED');
    const before = digests(runtime).find((m) => lineOf(m, 'prod/db/stranded') !== undefined);
    expect(lineOf(before!, 'prod/db/stranded')).toContain('"text":"Pending');

    clock.advance(2 * 60_000);
    const run = await runtime.reconcile();
    expect(run.completed).toBeGreaterThanOrEqual(1);
    await digestShowing(runtime, 'prod/db/stranded', (line) => line.includes('"text":"Expired'));
    expect((await runtime.store.get(strandedId))?.events.map((e) => e.type)).toContain('outcome_notified');
  });
});
