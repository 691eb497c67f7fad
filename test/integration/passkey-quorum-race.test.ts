import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { linkIn, passkeyPolicies } from '../helpers/passkey-policies';
import { SoftwareAuthenticator, pageOptions } from '../helpers/software-authenticator';
import { eventually, slackMessage, testConfig, useTestRuntime, type Api } from './support';

type AuthOptions = { challenge: string; rpId: string };
type RegOptions = { challenge: string; rp: { id: string } };

describe('a quorum-2 passkey request, ten concurrent assertions from three approvers', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  useTestRuntime((started) => ({ runtime, api, agent } = started), testConfig(), {
    policiesDir: passkeyPolicies(),
  });

  const linkFor = async (requestId: string, user: string) => {
    const slack = runtime.slack;
    if (!slack) throw new Error('the stand-in is needed');
    const before = slack.ephemerals.length;
    await runtime.click({ requestId, user, decision: 'approve' });
    return linkIn((await eventually(() => slack.ephemerals.slice(before).find((e) => e.user === user))).text);
  };
  const post = async (url: string, response: unknown) => {
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response }),
    });
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  };

  it('ends with exactly two counted votes, one approval and one SendTaskSuccess', async () => {
    const approvers = ['U0ALICE', 'U0BOB', 'U0FRANK'];
    const keys = new Map(approvers.map((user) => [user, new SoftwareAuthenticator(runtime.passkeyUrl)]));
    const id = await api.createRequest(agent, { action: 'secrets:Rotate', resource: 'prod/db-password' });
    await slackMessage(runtime, id);
    // Each approver enrols a software passkey through the enrolment link their first click gives.
    for (const [user, key] of keys) {
      const url = await linkFor(id, user);
      expect(await post(url, key.register(await pageOptions<RegOptions>(url)))).toMatchObject({
        status: 200,
      });
    }

    // Ten vote links (4, 3, 3), each page opened and its challenge signed before any is posted.
    const voters = [
      'U0ALICE',
      'U0BOB',
      'U0FRANK',
      'U0ALICE',
      'U0BOB',
      'U0FRANK',
      'U0ALICE',
      'U0BOB',
      'U0FRANK',
      'U0ALICE',
    ];
    const signed: { url: string; response: unknown }[] = [];
    for (const user of voters) {
      const url = await linkFor(id, user);
      const key = keys.get(user);
      if (!key) throw new Error(user);
      signed.push({ url, response: key.assert(await pageOptions<AuthOptions>(url)) });
    }
    const handovers: string[] = [];
    const send = runtime.workflow.sendTaskSuccess.bind(runtime.workflow);
    runtime.workflow.sendTaskSuccess = async (token, output) => {
      const result = await send(token, output);
      handovers.push(String(result));
      return result;
    };

    const answers = await Promise.all(signed.map(({ url, response }) => post(url, response)));

    const outcomes = answers
      .map((a) => (a.status === 200 ? String(a.body.outcome) : String(a.status)))
      .sort();
    expect(outcomes.filter((o) => o === 'approved')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'recorded')).toHaveLength(1);
    // Every other answer is a refusal in the error shape, never a server error.
    expect(outcomes.filter((o) => o !== 'approved' && o !== 'recorded').every((o) => o === '403')).toBe(true);
    const stored = await runtime.store.get(id);
    expect(stored?.status).toBe('APPROVED');
    expect(stored?.votes).toHaveLength(2);
    expect(new Set(stored?.votes.map((v) => v.user)).size).toBe(2);
    expect(stored?.votes.every((v) => v.passkey?.userVerified === true)).toBe(true);
    expect(stored?.events.filter((e) => e.type === 'approved')).toHaveLength(1);
    expect(handovers).toHaveLength(1);
  });
});
