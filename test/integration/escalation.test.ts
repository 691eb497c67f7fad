import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { Api, eventually, pollUntilDecided, slackMessage, testConfig } from './support';

// Ten seconds to decide, then the on-call group is paged and has ten seconds more: the test clicks
// before the escalation and again within its window, which a busy machine must not miss (1 s did).
const ESCALATING_POLICY = `@id("drop-with-escalation")
@approvers("db-owners")
@approval_timeout("10")
@escalate_to("platform-oncall")
permit (principal, action == Action::"db:DropTable", resource)
when { context.approved };
`;

describe('escalation and expiry', () => {
  const policies = mkdtempSync(join(tmpdir(), 'stepup-escalation-'));
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;

  beforeAll(async () => {
    copyFileSync('policies/stepup.cedarschema', join(policies, 'stepup.cedarschema'));
    writeFileSync(join(policies, 'escalation.cedar'), ESCALATING_POLICY);
    runtime = await startLocalRuntime({
      memory: true,
      port: 0,
      config: testConfig(),
      policiesDir: policies,
      env: {},
    });
    api = new Api(runtime);
    agent = await runtime.devToken('deploy-bot');
  });
  afterAll(async () => {
    await runtime.stop();
    rmSync(policies, { recursive: true, force: true });
  });

  it('pages the escalation group when nobody decides in time; one of them can then approve', async () => {
    const requestId = await api.createRequest(agent);
    const first = await slackMessage(runtime, requestId);
    expect(first.channel).toBe('C0APPROVALS');
    // U0FRANK is only in platform-oncall: not eligible before the escalation.
    await runtime.click({ requestId, user: 'U0FRANK', decision: 'approve' });
    expect(runtime.slack!.ephemerals.at(-1)).toMatchObject({ user: 'U0FRANK' });

    const escalated = await eventually(() =>
      runtime.slack!.messages.find(
        (m) => m.channel === 'C0ONCALL' && JSON.stringify(m.history).includes(requestId),
      ),
    );
    await eventually(() =>
      JSON.stringify(first.blocks).includes('escalated to platform-oncall') ? true : undefined,
    );
    const stored = await runtime.store.get(requestId);
    expect(stored?.events.map((e) => e.type)).toContain('escalated');

    await runtime.click({ requestId, user: 'U0FRANK', decision: 'approve' });
    expect((await pollUntilDecided(api, agent, requestId)).status).toBe(200);
    await eventually(() =>
      JSON.stringify(escalated.blocks).includes('Approved by <@U0FRANK>') ? true : undefined,
    );
    expect(JSON.stringify(first.blocks)).toContain('Approved by <@U0FRANK>');
  });

  it('expires after the escalation window too: expired_token, and both messages say so', async () => {
    const requestId = await api.createRequest(agent);
    const first = await slackMessage(runtime, requestId);
    const answer = await pollUntilDecided(api, agent, requestId);
    expect(answer.body.error).toBe('expired_token');
    const escalated = runtime.slack!.messages.find(
      (m) => m.channel === 'C0ONCALL' && JSON.stringify(m.history).includes(requestId),
    );
    await eventually(() => (JSON.stringify(first.blocks).includes('Expired') ? true : undefined));
    await eventually(() => (JSON.stringify(escalated?.blocks).includes('Expired') ? true : undefined));
  });
});

describe('when Slack stays down', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;

  beforeAll(async () => {
    // Nothing listens on port 9 (discard): every Slack call fails.
    runtime = await startLocalRuntime({
      memory: true,
      port: 0,
      config: testConfig(),
      env: { SLACK_API_URL: 'http://127.0.0.1:9/api/' },
    });
    api = new Api(runtime);
    agent = await runtime.devToken('deploy-bot');
  });
  afterAll(() => runtime.stop());

  it('the request still ends cleanly as expired, never stuck pending', async () => {
    const requestId = await api.createRequest(agent);
    const stored = await eventually(async () => {
      const request = await runtime.store.get(requestId);
      return request?.status === 'EXPIRED' ? request : undefined;
    });
    expect(stored.events.map((e) => e.type)).toContain('expired');
    expect((await api.poll(agent, requestId)).body.error).toBe('expired_token');
  });
});
