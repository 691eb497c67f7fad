import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { Api, eventually, pollUntilDecided, slackMessage, useTestRuntime } from './support';

describe('policy decides per request, over HTTP', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;

  useTestRuntime((started) => ({ runtime, api, agent } = started));

  it('auto-approves reading logs: 200, a usable single-use token at once, no Slack message, no workflow', async () => {
    const messagesBefore = runtime.slack!.messages.length;
    const created = await api.postJson(
      '/v1/requests',
      {
        action: 'logs:Read',
        resource: 'prod/app-logs',
        audience: 'log-api',
        justification: 'debug a 500',
        requested_ttl_seconds: 3600,
      },
      agent,
    );
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ status: 'approved', auth_req_id: expect.any(String) });
    const requestId = created.body.auth_req_id as string;
    expect(runtime.workflow.activeExecutions).toBe(0);

    const token = await api.poll(agent, requestId);
    expect(token.status).toBe(200);
    expect(token.body.expires_in).toBe(900); // capped by @max_ttl("900") on read-logs
    const logApi = await runtime.devToken('log-api');
    const first = await api.introspect(logApi, token.body.access_token as string);
    expect(first.body).toMatchObject({ active: true, approval: { approvers: [], policy: 'read-logs' } });
    expect((await api.introspect(logApi, token.body.access_token as string)).body).toEqual({ active: false });

    expect(runtime.slack!.messages.length).toBe(messagesBefore);
    const view = await api.get(`/v1/requests/${requestId}`, agent);
    expect(view.body).toMatchObject({ status: 'approved', policy_outcome: 'auto_approve' });
    expect((view.body.events as { type: string }[]).map((e) => e.type)).toEqual([
      'requested',
      'auto_approved',
      'grant_issued',
      'token_delivered',
      'token_consumed',
    ]);
  });

  it('forbids moving money for an unverified human: 403 naming the policy, recorded, nobody paged', async () => {
    const messagesBefore = runtime.slack!.messages.length;
    const denied = await api.postJson(
      '/v1/requests',
      {
        action: 'payments:Transfer',
        resource: 'prod/treasury',
        audience: 'payments-api',
        justification: 'pay the invoice, Carol asked me to',
        on_behalf_of: 'carol@example.com',
      },
      agent,
    );
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({
      error: 'access_denied',
      error_description: expect.stringContaining('no-agent-payments'),
      policies: ['no-agent-payments'],
    });
    const view = await api.get(`/v1/requests/${denied.body.auth_req_id as string}`, agent);
    expect(view.body).toMatchObject({ status: 'denied', policy_outcome: 'deny' });
    expect(runtime.slack!.messages.length).toBe(messagesBefore);
    expect(runtime.workflow.activeExecutions).toBe(0);
  });

  it('a quorum-2 action stays pending after one approval and is approved by a second distinct approver', async () => {
    const requestId = await api.createRequest(agent, {
      action: 'secrets:Rotate',
      resource: 'prod/db-password',
      audience: 'vault',
    });
    const message = await slackMessage(runtime, requestId);
    expect(message.channel).toBe('C0SECURITY');
    expect(JSON.stringify(message.blocks)).toContain('rotate-prod-secret');

    await runtime.click({ requestId, user: 'U0GRACE', decision: 'approve' });
    expect((await api.poll(agent, requestId)).body.error).toBe('authorization_pending');
    await runtime.click({ requestId, user: 'U0GRACE', decision: 'approve' });
    expect(runtime.slack!.ephemerals.at(-1)).toMatchObject({
      user: 'U0GRACE',
      text: expect.stringContaining('already recorded'),
    });
    expect((await runtime.store.get(requestId))?.status).toBe('PENDING');

    await runtime.click({ requestId, user: 'U0HEIDI', decision: 'approve' });
    const token = await pollUntilDecided(api, agent, requestId);
    expect(token.status).toBe(200);
    expect(token.body.expires_in).toBe(120);
    const vault = await runtime.devToken('vault');
    const claims = (await api.introspect(vault, token.body.access_token as string)).body;
    expect(claims).toMatchObject({
      active: true,
      approval: { approvers: ['U0GRACE', 'U0HEIDI'], policy: 'rotate-prod-secret' },
    });
    await eventually(() =>
      JSON.stringify(message.blocks).includes('Approved by <@U0GRACE>, <@U0HEIDI>') ? true : undefined,
    );
  });
});
