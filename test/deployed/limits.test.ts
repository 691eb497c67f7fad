import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfigFile } from '../../lambdas/adapters/config-file';
import { OPEN_DIGESTED_ACTION_PREFIX } from '../../lambdas/adapters/slack/digest-message';
import { APPROVAL_EVENT_TYPE, DIGEST_EVENT_TYPE } from '../../lambdas/adapters/slack/slack-notifier';
import { serializeConfig } from '../../lambdas/domain/config/config';
import type { StandInMessage } from '../../local/slack-stand-in';
import { until } from '../helpers/wait';
import { PROJECT_ROOT } from './cloud-assembly';
import { deploy, DROP_TABLE, Workload, type Deployment } from './deployment';

// `limits` through the synthesized bundles: the shipped config (which deduplicates) with an hourly
// limit and a page limit added, as an operator would set them. Each scenario has an agent of its own
// (the sample admits every GitHub environment of the example repository), so their counts never mix.

const LIMITS = { deduplicate: true, requestsPerAgentPerHour: 3, pagesPerGroupPerMinute: 1 };
const agentSub = (name: string) => `repo:example-org/example-repo:environment:${name}`;

let deployment: Deployment;

beforeAll(async () => {
  const shipped = loadConfigFile(join(PROJECT_ROOT, 'stepup.config.json'));
  deployment = await deploy(inject('deployed'), {
    configJson: serializeConfig({ ...shipped, limits: { ...shipped.limits, ...LIMITS } }),
  });
});

afterAll(() => deployment?.stop());

const messagesOf = (eventType: string, ids: ReadonlySet<string>): StandInMessage[] =>
  deployment.slack.slack.messages.filter((m) => {
    const payload = m.metadata?.event_payload as Record<string, unknown> | undefined;
    if (m.metadata?.event_type !== eventType) return false;
    return eventType === APPROVAL_EVENT_TYPE
      ? ids.has(payload?.request_id as string)
      : openButtons(m).some((id) => ids.has(id));
  });

const openButtons = (message: StandInMessage): string[] =>
  message.blocks
    .map((b) => b.accessory as { action_id?: string; value?: string } | undefined)
    .filter((a) => a?.action_id?.startsWith(OPEN_DIGESTED_ACTION_PREFIX))
    .map((a) => a?.value as string);

/** A production deploy (policy `deploy-prod`): the service owners approve, a group no other scenario here pages. */
const DEPLOY = { action: 'deploy:Deploy', audience: 'web', justification: 'release the fix' };

async function create(agent: Workload, resource: string, ask: Record<string, unknown> = DROP_TABLE) {
  const created = await agent.request({ ...ask, resource });
  return { status: created.status, body: created.json as Record<string, unknown>, headers: created.headers };
}

/** A signed click on `actionId` of `message`, through API Gateway as Slack sends it. */
async function clickButton(message: StandInMessage, actionId: string, user: string) {
  const signed = deployment.slack.slack.clickButton(message, actionId, user);
  return deployment.sendToSlackEvents(signed);
}

describe('limits through the deployed bundles', () => {
  it('an identical pending request joins the first: same auth_req_id, deduplicated, one Slack message', async () => {
    const agent = new Workload(deployment, agentSub('limits-dedupe'));
    const first = await create(agent, 'prod/orders-dedupe');
    const second = await create(agent, 'prod/orders-dedupe');
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.auth_req_id).toBe(first.body.auth_req_id);
    expect(second.body.deduplicated).toBe(true);
    expect(first.body.deduplicated).toBeUndefined();
    const ids = new Set([first.body.auth_req_id as string]);
    await until(() => (messagesOf(APPROVAL_EVENT_TYPE, ids).length > 0 ? true : undefined), 'the page');
    expect(messagesOf(APPROVAL_EVENT_TYPE, ids)).toHaveLength(1);
  });

  it('the request beyond requestsPerAgentPerHour is 429 with Retry-After, in the error shape', async () => {
    const agent = new Workload(deployment, agentSub('limits-hourly'));
    // An hour that turns during the run starts a new count: the run is repeated in one hour.
    for (;;) {
      const hour = new Date().getUTCHours();
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await create(agent, `prod/orders-hourly-${hour}-${i}`));
      if (new Date().getUTCHours() !== hour) continue;
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 429]);
      const refused = answers[3]!;
      expect(refused.body).toEqual({ error: 'too_many_requests', error_description: expect.any(String) });
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      return;
    }
  });

  it('beyond pagesPerGroupPerMinute requests go into one digest; Open, Approve and a cancel show in it', async () => {
    const agent = new Workload(deployment, agentSub('limits-digest'));
    // A minute that turns during the run gives the group a new page: repeated within one minute.
    for (let run = 0; ; run++) {
      const minute = new Date().toISOString().slice(0, 16);
      const answers = await Promise.all([0, 1, 2].map((i) => create(agent, `prod/web-${run}-${i}`, DEPLOY)));
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
      const ids = new Set(answers.map((a) => a.body.auth_req_id as string));
      const listedOf = (message: StandInMessage) => openButtons(message).filter((id) => ids.has(id));
      const digest = await until(() => {
        const paged = messagesOf(APPROVAL_EVENT_TYPE, ids).length;
        const listed = messagesOf(DIGEST_EVENT_TYPE, ids).flatMap(listedOf).length;
        return paged + listed === 3 ? messagesOf(DIGEST_EVENT_TYPE, ids) : undefined;
      }, 'every request paged or listed');
      if (new Date().toISOString().slice(0, 16) !== minute) continue;
      expect(messagesOf(APPROVAL_EVENT_TYPE, ids)).toHaveLength(1);
      expect(digest).toHaveLength(1);
      const message = digest[0]!;
      expect(message.channel).toBe('C0DEPLOYS');
      expect(listedOf(message)).toHaveLength(2);
      const [listed, withdrawn] = listedOf(message) as [string, string];
      // The digest as it is now (the stand-in updates its messages in place), for a late click.
      const stale = { ...message, blocks: [...message.blocks] };

      const opened = await clickButton(message, `${OPEN_DIGESTED_ACTION_PREFIX}${listed}`, 'U0DAVE');
      expect(opened.status).toBe(200);
      const own = await until(
        () => messagesOf(APPROVAL_EVENT_TYPE, new Set([listed]))[0],
        'the opened request’s own message',
      );
      expect(own.channel).toBe('C0DEPLOYS');
      const signed = deployment.slack.slack.click({ requestId: listed, user: 'U0DAVE', decision: 'approve' });
      const clicked = await deployment.sendToSlackEvents(signed);
      expect(clicked.status).toBe(200);
      const shown = await until(() => {
        const now = messagesOf(DIGEST_EVENT_TYPE, ids)[0];
        return now && listedOf(now).length === 1 ? now : undefined;
      }, 'the digest showing the approval');
      expect(listedOf(shown)).not.toContain(listed);
      expect(JSON.stringify(shown.blocks)).toContain('Approved');

      // The other one is withdrawn: its line says so, and Open on the stale line posts nothing.
      const cancelled = await agent.postJson(`/v1/requests/${withdrawn}/cancel`, {});
      expect(cancelled.status).toBe(200);
      // No line of it has a button left, so the digest is found by its ts.
      await until(() => {
        const now = deployment.slack.slack.messages.find((m) => m.ts === message.ts);
        return now && JSON.stringify(now.blocks).includes('Cancelled') ? now : undefined;
      }, 'the digest showing the cancellation');
      const posts = deployment.slack.slack.messages.length;
      const late = await clickButton(stale, `${OPEN_DIGESTED_ACTION_PREFIX}${withdrawn}`, 'U0ERIN');
      expect(late.status).toBe(200);
      const told = await until(
        () => deployment.slack.slack.ephemerals.find((e) => e.user === 'U0ERIN'),
        'the clicker told privately',
      );
      expect(told.text).toContain('cancelled');
      expect(deployment.slack.slack.messages).toHaveLength(posts);
      expect(messagesOf(APPROVAL_EVENT_TYPE, new Set([withdrawn]))).toEqual([]);
      return;
    }
  });
});
