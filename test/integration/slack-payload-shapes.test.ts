import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { Api, slackMessage, useTestRuntime } from './support';

/**
 * Signed Slack payloads of every shape, through Bolt: whatever Slack (or someone holding the signing
 * secret) sends, the answer is a 200 ack or a 4xx in the JSON error shape, and nothing is stored
 * unless the payload is a well-formed vote.
 */
describe('Slack ingress: a signed payload of any shape is acked or refused, never a 5xx', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  let requestId: string;

  useTestRuntime((started) => ({ runtime, api, agent } = started));
  beforeAll(async () => {
    requestId = await api.createRequest(agent);
    await slackMessage(runtime, requestId);
  });

  const table = async () =>
    (
      await runtime.dynamo.client.send(
        new ScanCommand({ TableName: runtime.dynamo.tableName, ConsistentRead: true }),
      )
    ).Items;

  const send = async (payload: unknown) => {
    const form = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const { body, headers } = runtime.slack!.signed(form);
    const response = await fetch(`${runtime.url}/slack/events`, { method: 'POST', headers, body });
    return { status: response.status, text: await response.text() };
  };

  const user = { id: 'U0ALICE', team_id: 'T0LOCAL' };
  const team = { id: 'T0LOCAL' };
  const button = (extra: Record<string, unknown>) => ({
    type: 'block_actions',
    user,
    team,
    trigger_id: 't',
    ...extra,
  });
  const submission = (view: unknown) => ({ type: 'view_submission', user, team, view });
  const dialog = (values: unknown) => ({
    callback_id: 'stepup_deny_reason',
    private_metadata: JSON.stringify({ requestId: 'x' }),
    state: { values },
  });

  const shapes: readonly (readonly [string, () => unknown])[] = [
    ['view_submission without view', () => ({ type: 'view_submission', user, team })],
    ['view_submission without state', () => submission({ callback_id: 'stepup_deny_reason' })],
    ['view_submission with values null', () => submission(dialog(null))],
    [
      'view_submission with a numeric reason',
      () => submission(dialog({ reason: { reason_input: { value: 5 } } })),
    ],
    [
      'view_submission with an object reason',
      () => submission(dialog({ reason: { reason_input: { value: {} } } })),
    ],
    ['view_submission without user', () => ({ type: 'view_submission', team, view: dialog({}) })],
    ['view_submission of an unknown view', () => submission({ callback_id: 'other', state: { values: {} } })],
    // Bolt routes on `actions` before `type`: this one would reach no listener.
    [
      'a deny-dialog view_submission that also carries actions',
      () => ({ ...submission(dialog({})), actions: [{ action_id: 'stepup_approve', value: 'x' }] }),
    ],
    [
      'a click that also carries command',
      () => button({ command: '/x', actions: [{ action_id: 'stepup_approve', value: 'x' }] }),
    ],
    ['view_closed', () => ({ type: 'view_closed', user, team, view: { callback_id: 'stepup_deny_reason' } })],
    ['block_actions with actions null', () => button({ actions: null })],
    ['block_actions with actions an object', () => button({ actions: { action_id: 'stepup_approve' } })],
    ['block_actions with no actions', () => button({ actions: [] })],
    [
      'block_actions with a numeric value',
      () => button({ actions: [{ action_id: 'stepup_approve', value: 5 }] }),
    ],
    [
      'block_actions without user',
      () => ({ type: 'block_actions', team, actions: [{ action_id: 'stepup_deny' }] }),
    ],
    ['block_actions with an unknown action', () => button({ actions: [{ action_id: 'other', value: 'x' }] })],
    ['a shortcut', () => ({ type: 'shortcut', user, team, callback_id: 'x', trigger_id: 't' })],
    ['a message action', () => ({ type: 'message_action', user, team, callback_id: 'x' })],
    ['an unknown type', () => ({ type: 'nonsense', user, team })],
    ['no type', () => ({ user, team })],
    ['an array', () => [1, 2]],
    ['a number', () => 42],
    ['a string', () => 'payload'],
    ['null', () => null],
  ];

  it.each(shapes)('%s: 200 or a JSON 4xx, no state change', async (_name, payload) => {
    const before = await table();
    const { status, text } = await send(payload());
    if (status === 200) expect(text === '' || JSON.parse(text)).toBeTruthy();
    else {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      expect(JSON.parse(text)).toEqual({ error: expect.any(String), error_description: expect.any(String) });
    }
    expect(await table()).toEqual(before);
  });

  it.each([
    ['a right-to-left override', 'billing \u202eevil'],
    ['a lone surrogate', 'billing \ud800 reads it'],
    ['a tag character', 'billing\u{e0041} reads it'],
    ['only invisible filler', '\u3164\u3164\u3164'],
  ])('a deny reason with %s is sent back to the approver, and nothing changes', async (_name, reason) => {
    const click = runtime.slack!.click({ requestId, user: 'U0BOB', decision: 'deny' });
    await fetch(`${runtime.url}/slack/events`, { method: 'POST', headers: click.headers, body: click.body });
    const before = await table();
    const submission = runtime.slack!.submitDialog(click.triggerId, 'U0BOB', {
      reason: { reason_input: reason },
    })!;
    const response = await fetch(`${runtime.url}/slack/events`, {
      method: 'POST',
      headers: submission.headers,
      body: submission.body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      response_action: 'errors',
      errors: { reason: expect.stringContaining('without control, format or invisible characters') },
    });
    expect(await table()).toEqual(before);
  });
});
