import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StandInMessage } from '../../local/slack-stand-in';
import { KILL_SWITCH_ACTION_ID } from '../../lambdas/adapters/slack/owner-message';
import { RESOURCE_SERVER_SUB } from './cloud-assembly';
import {
  deploy,
  DROP_TABLE,
  READ_LOGS,
  functionNamed,
  SAMPLE_AGENT_SUB,
  Workload,
  type Deployment,
} from './deployment';
import type { SlackCall } from './slack-api';

// Owner notices through the synthesized bundles: the sample registry's owners (deploy-bot: U0ALICE;
// release-bot, every `environment:*` identity of the example repository: U0JUDY and U0KEN) are told
// in a DM at the Slack stand-in, and an owner's kill switch is a signed click into the Slack bundle.

let deployment: Deployment;
let deployBot: Workload;
let ordersDb: Workload;

beforeAll(async () => {
  deployment = await deploy(inject('deployed'));
  deployBot = new Workload(deployment, SAMPLE_AGENT_SUB);
  ordersDb = new Workload(deployment, RESOURCE_SERVER_SUB);
});
afterAll(() => deployment?.stop());

/** Moving money for nobody: denied by policy (`no-agent-payments`) at creation. */
const TRANSFER = {
  action: 'payments:Transfer',
  resource: 'prod/treasury',
  audience: 'orders-db',
  justification: 'pay the invoice',
};

function field(response: { json?: unknown }, name: string): unknown {
  return (response.json as Record<string, unknown>)[name];
}

/** Whether `call` is a DM posted to `owner` that mentions `text`. */
function dmTo(owner: string, text: string) {
  return (call: SlackCall) =>
    call.ok &&
    call.method === 'chat.postMessage' &&
    call.fields.channel === owner &&
    JSON.stringify(call.fields).includes(text);
}

/** The DM to `owner` mentioning `text`, as the stand-in holds it (with its buttons). */
async function ownerDm(owner: string, text: string): Promise<StandInMessage> {
  await deployment.slack.waitFor(dmTo(owner, text));
  const message = deployment.slack.slack.messages.find(
    (m) => m.channel === owner && JSON.stringify(m.blocks).includes(text),
  );
  if (!message) throw new Error(`no DM to ${owner} about ${text}`);
  return message;
}

/** Slack's click on the kill switch button of `dm` by `user`, signed, through API Gateway. */
async function pullKillSwitch(dm: StandInMessage, user: string) {
  const signed = deployment.slack.slack.clickButton(dm, KILL_SWITCH_ACTION_ID, user);
  const started = performance.now();
  const response = await deployment.sendToSlackEvents(signed);
  return { response, ms: Math.round(performance.now() - started) };
}

/** An auto-approved read by `by`: its request id and its delivered (unused) token. */
async function grantedToken(by: Workload): Promise<{ id: string; token: string }> {
  const created = await by.request(READ_LOGS);
  expect(created.status, created.body).toBe(200);
  const id = field(created, 'auth_req_id') as string;
  const polled = await by.poll(id);
  expect(polled.status, polled.body).toBe(200);
  return { id, token: field(polled, 'access_token') as string };
}

/** The audit events of request `id`, as its agent reads them. */
async function eventsOf(by: Workload, id: string): Promise<{ type: string; actor: string }[]> {
  return ((await by.get(`/v1/requests/${id}`)).json as { events: { type: string; actor: string }[] }).events;
}

describe('deployed: owners are told about their agent', () => {
  it('a policy denial DMs the owner, with the kill switch button for that agent', async () => {
    const denied = await deployBot.request(TRANSFER);
    expect(denied.status).toBe(403);
    const requestId = field(denied, 'auth_req_id') as string;
    const dm = await ownerDm('U0ALICE', requestId);
    expect(dm.text).toContain('denied by policy');
    const button = dm.blocks.flatMap((b) => (b.elements as Record<string, unknown>[] | undefined) ?? [])[0];
    expect(button).toMatchObject({ action_id: KILL_SWITCH_ACTION_ID, value: SAMPLE_AGENT_SUB });
  });

  it('an expiry DMs the owner once, however often the workflow step runs again', async () => {
    const created = await deployBot.request({ ...DROP_TABLE, resource: 'expiry/orders-owned' });
    expect(created.status, created.body).toBe(202);
    const requestId = field(created, 'auth_req_id') as string;
    await deployment.aws.stepFunctions.waitForExecution(executionArnOf(requestId));
    expect(field(await deployBot.poll(requestId), 'error')).toBe('expired_token');
    const dm = await ownerDm('U0ALICE', requestId);
    expect(dm.text).toContain('expired');

    // NotifyOutcome again, twice side by side and once more (what a Lambda or Step Functions retry,
    // or the reconciler re-driving the request, does): the claim in the table stops each of them.
    const notifyOutcome = functionNamed(deployment, 'NotifyOutcome');
    const step = { request_id: requestId };
    await Promise.all([
      deployment.lambdas.invoke(notifyOutcome, step),
      deployment.lambdas.invoke(notifyOutcome, step),
    ]);
    await deployment.lambdas.invoke(notifyOutcome, step);
    expect(deployment.slack.calls.filter(dmTo('U0ALICE', requestId))).toHaveLength(1);
  });
});

describe('deployed: the owner kill switch from the DM', () => {
  it("refuses a non-owner; an owner's click revokes that agent's grants and nobody else's, and both owners hear it once", async () => {
    const releaseBot = new Workload(deployment, 'repo:example-org/example-repo:environment:owned');
    const granted = await grantedToken(releaseBot);
    const pending = field(await releaseBot.request(DROP_TABLE), 'auth_req_id') as string;
    await deployment.slack.approvalMessage(pending);
    const bystander = await grantedToken(deployBot);

    const denied = field(await releaseBot.request(TRANSFER), 'auth_req_id') as string;
    const dm = await ownerDm('U0JUDY', denied);
    await ownerDm('U0KEN', denied);

    // U0ALICE owns deploy-bot, not release-bot: acked, told privately, nothing changed. Twice: the
    // first click meets a cold Slack function, the second a warm one.
    const refused = [await pullKillSwitch(dm, 'U0ALICE'), await pullKillSwitch(dm, 'U0ALICE')];
    for (const click of refused) expect(click.response.status).toBe(200);
    const ephemeral = await deployment.slack.waitFor(
      (call) => call.method === 'chat.postEphemeral' && call.fields.user === 'U0ALICE',
    );
    expect(String(ephemeral.fields.text)).toContain('Only an owner');
    expect(field(await releaseBot.poll(pending), 'error')).toBe('authorization_pending');
    // (Not introspected: that would use the single-use token up.)
    expect((await eventsOf(releaseBot, granted.id)).map((e) => e.type)).not.toContain('revoked');

    const pulled = await pullKillSwitch(dm, 'U0JUDY');
    expect(pulled.response.status).toBe(200);
    // Slack's budget is 3 s; reported, not asserted (timing belongs to bench/).
    console.log(
      `[deployed] owner kill switch click answered in ${pulled.ms} ms; refused clicks: ` +
        `${refused.map((click) => click.ms).join(' ms (cold), ')} ms (warm)`,
    );
    expect((await deployment.aws.stepFunctions.waitForExecution(executionArnOf(pending))).status).toBe(
      'ABORTED',
    );
    expect(field(await releaseBot.poll(pending), 'error')).toBe('access_denied');
    expect(await ordersDb.introspect(granted.token)).toMatchObject({ status: 200, json: { active: false } });
    expect(await eventsOf(releaseBot, granted.id)).toContainEqual(
      expect.objectContaining({ type: 'revoked', actor: 'owner:U0JUDY' }),
    );
    expect(await eventsOf(releaseBot, pending)).toContainEqual(
      expect.objectContaining({ type: 'cancelled', actor: 'owner:U0JUDY' }),
    );
    // Another agent's grant is untouched.
    expect(await ordersDb.introspect(bystander.token)).toMatchObject({ status: 200, json: { active: true } });

    for (const owner of ['U0JUDY', 'U0KEN']) {
      const told = await ownerDm(owner, 'The kill switch was pulled');
      expect(JSON.stringify(told.blocks)).toContain(
        'By owner:U0JUDY: 1 pending request(s) cancelled, 1 grant(s) revoked.',
      );
    }
    // The reconciler finds the run complete: nobody is told again.
    await deployment.lambdas.invoke(functionNamed(deployment, 'Reconcile'), {
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      time: new Date(Date.now() + 61_000).toISOString(),
      detail: {},
    });
    for (const owner of ['U0JUDY', 'U0KEN'])
      expect(deployment.slack.calls.filter(dmTo(owner, 'The kill switch was pulled'))).toHaveLength(1);
  });
});

describe('deployed: owner notices, after all scenarios', () => {
  it('counted each DM (OwnerNoticeSent by kind) and none failed', () => {
    const logs = [...deployment.lambdas.allLogs()].map(([, log]) => log).join('\n');
    for (const kind of ['policy_denied', 'expired', 'kill_switch'])
      expect(logs).toMatch(
        new RegExp(`"kind":"${kind}"[^\\n]*"OwnerNoticeSent"|"OwnerNoticeSent"[^\\n]*"kind":"${kind}"`),
      );
    expect(logs).not.toContain('OwnerNoticeFailed');
  });

  it('no AWS call was refused by IAM', () => {
    expect(deployment.aws.callLog.denied()).toEqual([]);
  });
});

/** The workflow execution of a request (started with the request id as its name). */
function executionArnOf(requestId: string): string {
  const stateMachine = deployment.aws.account
    .functions()
    .map((fn) => deployment.aws.account.functionEnvironment(fn.logicalId).STATE_MACHINE_ARN)
    .find(Boolean)!;
  return `${stateMachine.replace(':stateMachine:', ':execution:')}:${requestId}`;
}
