import { createHash } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyAuditTrail } from '../../lambdas/domain/audit/audit-chain';
import { sourceIdentityOf } from '../../lambdas/domain/tokens/aws-target';
import { SHOW_PARAMETERS_ACTION_ID } from '../../lambdas/adapters/slack/parameters-message';
import type { ApiResponse } from './api-gateway';
import {
  AWS_TARGET,
  DEPLOYED_ENV,
  OPERATOR_SUB,
  RESOURCE_SERVER_SUB,
  SPIFFE_AGENT_SUB,
} from './cloud-assembly';
import {
  deploy,
  DROP_TABLE,
  READ_LOGS,
  functionNamed,
  SAMPLE_AGENT_SUB,
  Workload,
  type Deployment,
} from './deployment';
import { until } from '../helpers/wait';
import { PasskeyApprover } from './passkey-vote';

// Every scenario goes through the synthesized bundles only: API Gateway events into the Lambda
// hosts, the workflow from the template's definition, Slack clicks as signed payloads.

let deployment: Deployment;
let agent: Workload;
let ordersDb: Workload;

beforeAll(async () => {
  const started = Date.now();
  deployment = await deploy(inject('deployed'));
  agent = new Workload(deployment, SAMPLE_AGENT_SUB);
  ordersDb = new Workload(deployment, RESOURCE_SERVER_SUB);
  console.log(`[deployed] stand-ins up in ${Date.now() - started} ms`);
});

afterAll(async () => {
  if (deployment) console.log(`[deployed] Lambda hosts: ${deployment.lambdas.coldStartSummary()}`);
  // STEPUP_DEPLOYED_LOGS=<dir> keeps every function's log for a look after the run.
  if (process.env.STEPUP_DEPLOYED_LOGS) deployment?.lambdas.writeLogs(process.env.STEPUP_DEPLOYED_LOGS);
  await deployment?.stop();
});

function body(response: ApiResponse): Record<string, unknown> {
  return response.json as Record<string, unknown>;
}

/** The workflow execution of a request (started with the request id as its name). */
function executionArn(requestId: string): string {
  const stateMachine = deployment.aws.account
    .functions()
    .map((fn) => deployment.aws.account.functionEnvironment(fn.logicalId).STATE_MACHINE_ARN)
    .find(Boolean)!;
  return `${stateMachine.replace(':stateMachine:', ':execution:')}:${requestId}`;
}

/** Waits for the request's workflow execution to end; resolves with its status. */
async function executionEnded(requestId: string): Promise<string> {
  const execution = await deployment.aws.stepFunctions.waitForExecution(executionArn(requestId));
  return execution.status;
}

async function create(request: Record<string, unknown>, by = agent): Promise<string> {
  const created = await by.request(request);
  expect(created.status, created.body).toBe(202);
  return body(created).auth_req_id as string;
}

/** An approver's click, delivered as Slack sends it: signed, form-encoded, through API Gateway. */
async function click(requestId: string, user: string, decision: 'approve' | 'deny') {
  const signed = deployment.slack.slack.click({ requestId, user, decision });
  const response = await deployment.sendToSlackEvents(signed);
  return { response, triggerId: signed.triggerId };
}

async function verifyToken(token: string) {
  const jwks = await agent.get('/.well-known/jwks.json');
  expect(jwks.status).toBe(200);
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks.json as JSONWebKeySet), {
    algorithms: ['ES256'],
    audience: 'orders-db',
  });
  return payload;
}

describe('the API as API Gateway fronts it', () => {
  it('answers health without a token and refuses protected routes without a valid workload JWT', async () => {
    const health = await deployment.api.request({ method: 'GET', path: '/health' });
    expect(health.status).toBe(200);
    const anonymous = await deployment.api.request({ method: 'POST', path: '/v1/requests', body: '{}' });
    expect(anonymous.status).toBe(401);
    const wrongAudience = await deployment.issuer.token(agent.sub, { aud: 'someone-else' });
    const refused = await deployment.api.request({
      method: 'GET',
      path: '/v1/requests/x',
      headers: { authorization: `Bearer ${wrongAudience}` },
    });
    expect(refused.status).toBe(401);
    // The authorizer hands its reason to the route, which answers it in the API's own shape.
    expect(JSON.parse(refused.body)).toMatchObject({
      error: 'invalid_token',
      error_description: expect.stringContaining('another audience'),
    });
    expect(refused.headers['www-authenticate']).toMatch(
      /^Bearer error="invalid_token", error_description=".*another audience/,
    );
    const expired = await deployment.issuer.token(agent.sub, { exp: Math.floor(Date.now() / 1000) - 60 });
    const late = await deployment.api.request({
      method: 'GET',
      path: '/v1/requests/x',
      headers: { authorization: `Bearer ${expired}` },
    });
    expect(late.status).toBe(401);
    expect(JSON.parse(late.body).error_description).toMatch(/^the workload token expired at /);
  });

  it('refuses a workload identity the config does not admit (403 unknown_agent) before policy or storage', async () => {
    const stranger = new Workload(deployment, 'repo:stranger/fork:ref:refs/heads/main');
    const callsBefore = deployment.aws.callLog.calls.length;
    const refused = await stranger.postJson('/v1/requests', DROP_TABLE);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: 'unknown_agent' });
    const writes = deployment.aws.callLog.calls
      .slice(callsBefore)
      .filter((call) => call.service === 'dynamodb' || call.service === 'states');
    expect(writes).toEqual([]);
  });

  it('a SPIFFE workload from a second issuer, with its own audience, acts as its registered team', async () => {
    const refunds = new Workload(deployment, SPIFFE_AGENT_SUB, deployment.spiffeIssuer);
    // payments-restore-staging permits principal.team == "payments": the registry reached Cedar.
    const created = await refunds.request({
      action: 'db:RestoreSnapshot',
      resource: 'staging/payments-db',
      audience: 'orders-db',
      justification: 'restore staging after the load test',
    });
    expect(created.status, created.body).toBe(200);
    const polled = await refunds.poll(body(created).auth_req_id as string);
    expect(polled.status, polled.body).toBe(200);
    expect((await verifyToken(body(polled).access_token as string)).sub).toBe(SPIFFE_AGENT_SUB);

    // The SPIRE issuer's token for another audience (GitHub's) is refused by the authorizer; the same
    // sub minted by the GitHub issuer is not the registered SPIFFE agent; another SPIFFE id is a stranger.
    const forGithub = await deployment.spiffeIssuer.token(SPIFFE_AGENT_SUB, { aud: 'stepup' });
    const wrongAudience = await deployment.api.request({
      method: 'GET',
      path: '/v1/requests/x',
      headers: { authorization: `Bearer ${forGithub}` },
    });
    expect(wrongAudience.status).toBe(401);
    const callsBefore = deployment.aws.callLog.calls.length;
    for (const stranger of [
      new Workload(deployment, SPIFFE_AGENT_SUB),
      new Workload(deployment, 'spiffe://example.org/ns/other/sa/x', deployment.spiffeIssuer),
    ]) {
      const refused = await stranger.postJson('/v1/requests', DROP_TABLE);
      expect(refused.status).toBe(403);
      expect(refused.json).toMatchObject({ error: 'unknown_agent' });
    }
    const writes = deployment.aws.callLog.calls
      .slice(callsBefore)
      .filter((call) => call.service === 'dynamodb' || call.service === 'states');
    expect(writes).toEqual([]);
  });

  it('answers bad input with a 4xx error body, never a 5xx', async () => {
    const bad = await agent.postJson('/v1/requests', { action: 42 });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    const forged = await deployment.api.request({
      method: 'POST',
      path: '/slack/events',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-signature': 'v0=00' },
      body: 'payload=%7B%7D',
    });
    expect(forged.status).toBe(401);
  });
});

// Independent requests: run side by side, as approvers and agents would.
describe.concurrent('step-up approval', () => {
  it('approve: Slack page, pending poll, click, single-use token, introspection once', async () => {
    const requestId = await create(DROP_TABLE);
    const message = await deployment.slack.approvalMessage(requestId, 'C0APPROVALS');
    expect(JSON.stringify(message.blocks)).toContain('stepup_approve');
    expect(body(await agent.poll(requestId)).error).toBe('authorization_pending');

    expect((await click(requestId, 'U0ALICE', 'approve')).response.status).toBe(200);
    expect(await executionEnded(requestId)).toBe('SUCCEEDED');

    const delivered = await agent.poll(requestId);
    expect(delivered.status, delivered.body).toBe(200);
    const token = body(delivered).access_token as string;
    const claims = await verifyToken(token);
    expect(claims).toMatchObject({
      aud: 'orders-db',
      approval: { request_id: requestId, approvers: ['U0ALICE'] },
    });
    // A poll right after delivery (its answer may have been lost) gets the same grant again.
    const copy = body(await agent.poll(requestId)).access_token as string;
    expect(await verifyToken(copy)).toEqual(claims);

    expect(await ordersDb.introspect(token)).toMatchObject({
      status: 200,
      json: { active: true, jti: claims.jti },
    });
    expect(await ordersDb.introspect(token)).toMatchObject({ status: 200, json: { active: false } });
    expect(await ordersDb.introspect(copy)).toMatchObject({ status: 200, json: { active: false } });
    expect(body(await agent.poll(requestId)).error).toBe('invalid_grant');

    // Tamper evidence: every event the bundles wrote is chained, as the agent's view shows it.
    const view = body(await agent.get(`/v1/requests/${requestId}`));
    const trail = view.events as { type: string; prev?: string }[];
    expect(trail.filter((e) => e.type !== 'token_consumed').every((e) => e.prev !== undefined)).toBe(true);
    expect(verifyAuditTrail(requestId, trail, view.audit_head as string)).toEqual({
      ok: true,
      chained: trail.length - 1,
      unchained: 0,
    });
  });

  it('parameters: the message shows them, the token binds their digest, introspection refuses other arguments without consuming', async () => {
    const canonical = '{"cascade":false,"sql":"DROP TABLE orders"}';
    const digest = createHash('sha256').update(canonical, 'utf8').digest('base64url');
    const oversized = await agent.request({ ...DROP_TABLE, parameters: { sql: 'x'.repeat(8200) } });
    expect(oversized.status).toBe(400);
    expect(body(oversized).error_description).toContain('bytes once canonicalised');

    const requestId = await create({
      ...DROP_TABLE,
      parameters: { sql: 'DROP TABLE orders', cascade: false },
    });
    const message = await deployment.slack.approvalMessage(requestId, 'C0APPROVALS');
    const posted = JSON.stringify(message.blocks);
    expect(posted).toContain('Parameters (the exact arguments; the token is valid only with these)');
    expect(posted).toContain('"confirm"');
    expect((await click(requestId, 'U0ALICE', 'approve')).response.status).toBe(200);
    expect(await executionEnded(requestId)).toBe('SUCCEEDED');
    const token = body(await agent.poll(requestId)).access_token as string;
    const claims = await verifyToken(token);
    expect(claims.authorization_details).toEqual([expect.objectContaining({ parameters_sha256: digest })]);

    const other = createHash('sha256').update('{"sql":"DROP TABLE customers"}').digest('base64url');
    expect(await ordersDb.postForm('/v1/introspect', { token, parameters_sha256: other })).toMatchObject({
      status: 200,
      json: { active: false },
    });
    const events = body(await agent.get(`/v1/requests/${requestId}`)).events as { type: string }[];
    expect(events.map((e) => e.type)).toContain('parameters_mismatch');
    expect(events.map((e) => e.type)).not.toContain('token_consumed');
    expect(await ordersDb.postForm('/v1/introspect', { token, parameters_sha256: digest })).toMatchObject({
      status: 200,
      json: { active: true, authorization_details: [{ parameters_sha256: digest }] },
    });
  });

  it('capped parameters: "Show full parameters" answers an approver privately with all of them, anyone else with a refusal', async () => {
    const parameters = { sql: `DELETE FROM orders WHERE id IN (${'7, '.repeat(1500)}7)` };
    const requestId = await create({ ...DROP_TABLE, resource: 'prod/orders-audit', parameters });
    const message = await deployment.slack.approvalMessage(requestId, 'C0APPROVALS');
    const ask = async (user: string) => {
      const before = deployment.slack.slack.ephemerals.length;
      const signed = deployment.slack.slack.clickButton(message, SHOW_PARAMETERS_ACTION_ID, user);
      const response = await deployment.sendToSlackEvents(signed);
      expect(response.status).toBe(200);
      return until(
        () => deployment.slack.slack.ephemerals.slice(before).find((e) => e.user === user),
        `a private answer to ${user}`,
      );
    };
    const shown = await ask('U0BOB');
    const texts = (shown.blocks ?? []).map((b) => (b.text as { text: string }).text);
    expect(texts.slice(1).join('')).toBe(JSON.stringify(parameters, null, 2));
    expect((await ask('U0DAVE')).text).toBe("Only members of db-owners can read this request's parameters.");
    expect(body(await agent.get(`/v1/requests/${requestId}`)).status).toBe('pending');
  });

  it('the click writes the grant: a poll right after it collects the token, even while NotifyOutcome keeps failing', async () => {
    const requestId = await create({ ...DROP_TABLE, resource: 'prod/orders-archive' });
    await deployment.slack.approvalMessage(requestId);
    const heal = deployment.lambdas.injectFault(
      functionNamed(deployment, 'NotifyOutcome'),
      (event) => (event as { request_id?: string }).request_id === requestId,
    );
    try {
      expect((await click(requestId, 'U0ALICE', 'approve')).response.status).toBe(200);
      // Before the workflow ran another state: the vote's own write stored the grant.
      const poll = await agent.poll(requestId);
      expect(poll.status, poll.body).toBe(200);
      // NotifyOutcome has no Catch: after its retries the execution fails, the approval stands.
      expect(await executionEnded(requestId)).toBe('FAILED');
    } finally {
      heal();
    }
    expect((await agent.get(`/v1/requests/${requestId}`)).json).toMatchObject({ status: 'approved' });
  });

  it('a request the workflow cannot close ends FAILED: the agent hears transaction_failed, RequestFailed is counted', async () => {
    // A one-second window nobody answers, and an Expire that keeps failing (armed before the
    // request exists: the window can pass before its Slack message is seen).
    let target: string | undefined;
    const heal = deployment.lambdas.injectFault(
      functionNamed(deployment, 'ExpireRequest'),
      (event) => (event as { request_id?: string }).request_id === target,
    );
    let requestId = '';
    try {
      // No wait for the Slack message: on a busy machine the window can end before it is posted.
      requestId = target = await create({ ...DROP_TABLE, resource: 'expiry/orders-archive' });
      // Every retry of Expire fails; the Catch records the failure and NotifyOutcome tells Slack.
      expect(await executionEnded(requestId)).toBe('SUCCEEDED');
    } finally {
      heal();
    }
    const poll = await agent.poll(requestId);
    expect(poll.status).toBe(400);
    expect(body(poll)).toMatchObject({ error: 'transaction_failed', error_description: expect.any(String) });
    expect((await agent.get(`/v1/requests/${requestId}`)).json).toMatchObject({ status: 'failed' });
    const metricLines = deployment.lambdas
      .logOf(functionNamed(deployment, 'FailRequest'))
      .split('\n')
      .filter((line) => line.includes('"RequestFailed":1'));
    expect(metricLines).toHaveLength(1);
  });

  it('long-poll: a waiting token call reads the table with backoff and answers with the token on the click', async () => {
    const requestId = await create({ ...DROP_TABLE, resource: 'prod/orders-long-poll' });
    await deployment.slack.approvalMessage(requestId);
    const tokenReads = () =>
      deployment.aws.callLog.calls.filter(
        (call) => call.action === 'dynamodb:GetItem' && call.roleLogicalId?.startsWith('StepUpToken'),
      ).length;
    const readsBefore = tokenReads();
    const started = Date.now();
    const answer = agent.poll(requestId, 20);
    // The call is waiting once it reads again after its first read: the backoff of the polling adapter.
    await until(() => tokenReads() >= readsBefore + 2 || undefined, 'the long-poll reading the table');
    expect((await click(requestId, 'U0ALICE', 'approve')).response.status).toBe(200);
    const response = await answer;
    expect(response.status, response.body).toBe(200);
    expect(Date.now() - started).toBeLessThan(20_000);
    await verifyToken(body(response).access_token as string);
    // A handful of reads for the whole wait, each allowed by the role's grants: no tight loop.
    const reads = deployment.aws.callLog.calls.filter(
      (call) => call.action === 'dynamodb:GetItem' && call.roleLogicalId?.startsWith('StepUpToken'),
    );
    expect(reads.filter((call) => !call.allowed)).toEqual([]);
    expect((await agent.poll(requestId, 26)).status).toBe(400);
  });

  it('quorum 2: one approval keeps it pending, a second distinct approver approves', async () => {
    const requestId = await create({
      action: 'secrets:Rotate',
      resource: 'prod/orders-db-password',
      audience: 'orders-db',
      justification: 'rotate after the contractor left',
    });
    await deployment.slack.approvalMessage(requestId, 'C0SECURITY');
    expect((await click(requestId, 'U0GRACE', 'approve')).response.status).toBe(200);
    expect(body(await agent.poll(requestId)).error).toBe('authorization_pending');
    expect((await click(requestId, 'U0HEIDI', 'approve')).response.status).toBe(200);
    expect(await executionEnded(requestId)).toBe('SUCCEEDED');
    const claims = await verifyToken(body(await agent.poll(requestId)).access_token as string);
    expect((claims.approval as { approvers: string[] }).approvers.sort()).toEqual(['U0GRACE', 'U0HEIDI']);
  });

  it('deny with a reason: the dialog, the agent hears access_denied, the message says why', async () => {
    const requestId = await create(DROP_TABLE);
    await deployment.slack.approvalMessage(requestId);
    const { response, triggerId } = await click(requestId, 'U0BOB', 'deny');
    expect(response.status).toBe(200);
    await deployment.slack.waitFor(
      (call) => call.method === 'views.open' && call.fields.trigger_id === triggerId,
    );
    const submission = deployment.slack.slack.submitDialog(triggerId, 'U0BOB', {
      reason: { reason_input: 'not during the freeze' },
    })!;
    const submitted = await deployment.sendToSlackEvents(submission);
    expect(submitted.status).toBe(200);
    expect(await executionEnded(requestId)).toBe('SUCCEEDED');
    expect(body(await agent.poll(requestId)).error).toBe('access_denied');
    const message = await deployment.slack.approvalMessage(requestId);
    expect(JSON.stringify(message.blocks)).toContain('not during the freeze');
  });

  it('expire: nobody answers within the window; the agent hears expired_token', async () => {
    const requestId = await create({ ...DROP_TABLE, resource: 'expiry/orders' });
    expect(await executionEnded(requestId)).toBe('SUCCEEDED');
    expect(body(await agent.poll(requestId)).error).toBe('expired_token');
  });

  it('escalate then approve: the escalation group is paged and its approval counts', async () => {
    const requestId = await create({
      action: 'deploy:Deploy',
      resource: 'escalation/web',
      audience: 'orders-db',
      justification: 'ship the hotfix',
    });
    await deployment.slack.approvalMessage(requestId, 'C0DEPLOYS');
    await deployment.slack.approvalMessage(requestId, 'C0ONCALL');
    expect((await click(requestId, 'U0FRANK', 'approve')).response.status).toBe(200);
    expect(await executionEnded(requestId)).toBe('SUCCEEDED');
    expect((await agent.poll(requestId)).status).toBe(200);
  });

  it('cancel: the agent withdraws a pending request; workflow stopped, agent hears access_denied', async () => {
    const requestId = await create(DROP_TABLE);
    await deployment.slack.approvalMessage(requestId);
    const cancelled = await agent.postJson(`/v1/requests/${requestId}/cancel`, {});
    expect(cancelled).toMatchObject({ status: 200, json: { status: 'cancelled' } });
    expect(await executionEnded(requestId)).toBe('ABORTED');
    expect(body(await agent.poll(requestId)).error).toBe('access_denied');
  });

  it('DTR: a deferred token exchange is pending with a deferral code; after the click the deferred poll gets the token; metadata says so', async () => {
    const metadata = body(await agent.get('/.well-known/oauth-authorization-server'));
    expect(metadata.deferred_token_response_supported).toBe(true);
    // subject_token is the bearer itself, so one token serves both.
    const workloadToken = await deployment.issuer.token(SAMPLE_AGENT_SUB);
    const pending = await deployment.api.request({
      method: 'POST',
      path: '/v1/token',
      headers: { authorization: `Bearer ${workloadToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        completion_mode: 'deferred',
        subject_token: workloadToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        authorization_details: [
          {
            type: 'stepup_action',
            actions: [DROP_TABLE.action],
            identifier: 'prod/orders-dtr',
            locations: [DROP_TABLE.audience],
            justification: DROP_TABLE.justification,
          },
        ],
      }),
    });
    expect(pending.status, pending.body).toBe(400);
    expect(body(pending)).toMatchObject({ error: 'authorization_pending', interval: 5 });
    const code = body(pending).deferral_code as string;
    await deployment.slack.approvalMessage(code);
    expect((await click(code, 'U0ALICE', 'approve')).response.status).toBe(200);
    expect(await executionEnded(code)).toBe('SUCCEEDED');

    const delivered = await agent.postForm('/v1/token', {
      grant_type: 'urn:ietf:params:oauth:grant-type:deferred',
      deferral_code: code,
    });
    expect(delivered.status, delivered.body).toBe(200);
    expect(await verifyToken(body(delivered).access_token as string)).toMatchObject({
      aud: 'orders-db',
      approval: { request_id: code, approvers: ['U0ALICE'] },
    });
  });
});

describe('outcomes without a human', () => {
  it('auto-approve: reading logs yields a token at once, no Slack message', async () => {
    const created = await agent.request(READ_LOGS);
    expect(created.status, created.body).toBe(200);
    const requestId = body(created).auth_req_id as string;
    expect((await agent.poll(requestId)).status).toBe(200);
    expect(deployment.slack.calls.some((call) => JSON.stringify(call.fields).includes(requestId))).toBe(
      false,
    );
  });

  it('a log-only policy: a prod deploy during an incident is decided by the enforced policies, the dry-run forbid is recorded and counted', async () => {
    const requestId = await create({
      action: 'deploy:Deploy',
      resource: 'prod/checkout',
      audience: 'orders-db',
      justification: 'ship the hotfix',
      context: { incident: 'INC-7' },
    });
    // The enforced decision (step-up to the service owners) needs the enforced-only policy set,
    // which a container pre-parses when a log-only policy first determines a decision.
    const view = body(await agent.get(`/v1/requests/${requestId}`));
    expect(view.status).toBe('pending');
    const events = view.events as { type: string; detail?: Record<string, unknown> }[];
    expect(events.filter((e) => e.type === 'policy_log_only').map((e) => e.detail)).toEqual([
      {
        policy: 'freeze-prod-deploys-during-incident',
        effect: 'forbid',
        would_decide: 'deny',
        decided: 'step_up',
      },
    ]);
    const counted = deployment.lambdas
      .logOf(functionNamed(deployment, 'CreateRequest'))
      .split('\n')
      .filter(
        (line) => line.includes('"PolicyLogOnly":1') && line.includes('freeze-prod-deploys-during-incident'),
      );
    expect(counted).toHaveLength(1);
  });

  it('policy deny: moving money for nobody is a 403', async () => {
    const denied = await agent.request({
      action: 'payments:Transfer',
      resource: 'prod/treasury',
      audience: 'orders-db',
      justification: 'pay the invoice',
    });
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ error: 'access_denied' });
  });
});

describe('OpenID AuthZEN: what stepup would decide, nothing created', () => {
  it('answers single and batch evaluations from the bundled policy set, with no AWS call but the agent’s history read, no Slack page, and publishes its metadata', async () => {
    const metadata = await agent.get('/.well-known/authzen-configuration');
    expect(metadata.status).toBe(200);
    const issuer = (metadata.json as Record<string, string>).policy_decision_point;
    expect(metadata.json).toEqual({
      policy_decision_point: issuer,
      access_evaluation_endpoint: `${issuer}/access/v1/evaluation`,
      access_evaluations_endpoint: `${issuer}/access/v1/evaluations`,
    });
    const callsBefore = deployment.aws.callLog.calls.length;
    const slackBefore = deployment.slack.calls.length;
    const subject = { type: 'agent', id: SAMPLE_AGENT_SUB };
    const resource = {
      type: 'resource',
      id: DROP_TABLE.resource,
      properties: { audience: DROP_TABLE.audience },
    };
    const single = await agent.postJson('/access/v1/evaluation', {
      subject,
      action: { name: DROP_TABLE.action },
      resource,
    });
    expect(single.status, single.body).toBe(200);
    expect(single.json).toMatchObject({
      decision: false,
      context: { policy_outcome: 'step_up', request_endpoint: `${issuer}/v1/requests` },
    });
    const batch = await agent.postJson('/access/v1/evaluations', {
      subject,
      resource,
      evaluations: [{ action: { name: 'payments:Transfer' } }, { action: { name: 'logs:Read' } }],
      options: { evaluations_semantic: 'permit_on_first_permit' },
    });
    expect(batch.status, batch.body).toBe(200);
    expect(batch.json).toMatchObject({
      evaluations: [
        { decision: false, context: { policy_outcome: 'deny', policies: ['no-agent-payments'] } },
        { decision: true, context: { policy_outcome: 'auto_approve', policies: ['read-logs'] } },
      ],
    });
    const other = await agent.postJson('/access/v1/evaluation', {
      subject: { type: 'agent', id: 'someone-else' },
      action: { name: 'logs:Read' },
      resource,
    });
    expect(other.status).toBe(403);
    // The only AWS call: the agent's history (context.history), one BatchGetItem per evaluation.
    expect(
      deployment.aws.callLog.calls
        .slice(callsBefore)
        .filter((call) => call.action !== 'dynamodb:BatchGetItem'),
    ).toEqual([]);
    expect(deployment.slack.calls.length).toBe(slackBefore);
  });
});

describe('what an agent can ask for, nothing created', () => {
  it('an undeclared action is a 400 naming the field; elevation options list the actions and what each needs, with no AWS call but the history read', async () => {
    const callsBefore = deployment.aws.callLog.calls.length;
    const undeclared = await agent.request({ ...DROP_TABLE, action: 'db:Teleport' });
    expect(undeclared.status, undeclared.body).toBe(400);
    expect(undeclared.json).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringMatching(/^action is not one the policy schema declares/),
    });
    const listed = await agent.get(
      `/v1/elevation-options?resource=${encodeURIComponent(DROP_TABLE.resource)}&audience=${DROP_TABLE.audience}`,
    );
    expect(listed.status, listed.body).toBe(200);
    const actions = (listed.json as { actions: { action: string }[] }).actions;
    expect(actions).toContainEqual(
      expect.objectContaining({ action: DROP_TABLE.action, decision: 'step_up', quorum: 1 }),
    );
    expect(actions).toContainEqual(
      expect.objectContaining({ action: 'logs:Read', decision: 'auto_approve' }),
    );
    expect(listed.json).toMatchObject({ agent: SAMPLE_AGENT_SUB, audiences: expect.any(Array) });
    // Nothing stored: the undeclared action was refused before the table was touched, and the
    // listing reads nothing but the bundled policy set.
    const calls = deployment.aws.callLog.calls.slice(callsBefore);
    expect(
      calls.filter((call) => call.service !== 'secretsmanager' && call.action !== 'dynamodb:BatchGetItem'),
    ).toEqual([]);
  });
});

describe('remote MCP through API Gateway', () => {
  it('POST /mcp behind the JWT authorizer answers initialize and tools/list as JSON; RFC 9728 metadata is public', async () => {
    const accept = { accept: 'application/json, text/event-stream' };
    const initialize = await agent.postJson(
      '/mcp',
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'host', version: '1' },
        },
      },
      accept,
    );
    expect(initialize.status, initialize.body).toBe(200);
    expect(initialize.json).toMatchObject({ id: 1, result: { serverInfo: { name: 'stepup' } } });
    const tools = await agent.postJson('/mcp', { jsonrpc: '2.0', id: 2, method: 'tools/list' }, accept);
    expect(tools.status, tools.body).toBe(200);
    const names = (tools.json as { result: { tools: { name: string }[] } }).result.tools.map((t) => t.name);
    expect(names.sort()).toEqual([
      'check_elevation',
      'get_aws_credentials',
      'list_elevation_options',
      'request_elevation',
    ]);
    const anonymous = await deployment.api.request({
      method: 'POST',
      path: '/mcp',
      headers: { 'content-type': 'application/json', ...accept },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
    });
    expect(anonymous.status).toBe(401);
    const metadata = await deployment.api.request({
      method: 'GET',
      path: '/.well-known/oauth-protected-resource',
    });
    expect(metadata.status).toBe(200);
    expect(metadata.json).toMatchObject({
      resource: expect.stringMatching(/\/mcp$/),
      // Every workload issuer of the config (GitHub Actions and the suite's SPIRE).
      authorization_servers: [deployment.issuer.issuer, deployment.spiffeIssuer.issuer],
      bearer_methods_supported: ['header'],
    });
  });
});

describe('revocation', () => {
  /** A delivered token for an auto-approved request (no human needed). */
  async function autoApprovedToken(by: Workload): Promise<string> {
    const created = await by.request(READ_LOGS);
    return body(await by.poll(body(created).auth_req_id as string)).access_token as string;
  }

  it('revoke: a revoked token introspects inactive', async () => {
    const token = await autoApprovedToken(agent);
    expect(await agent.postForm('/v1/revoke', { token })).toMatchObject({ status: 200 });
    expect(await ordersDb.introspect(token)).toMatchObject({ status: 200, json: { active: false } });
  });

  it('kill switch: an operator cancels every pending request and revokes every grant of an agent', async () => {
    const rogue = new Workload(deployment, 'repo:example-org/example-repo:environment:rogue');
    const token = await autoApprovedToken(rogue);
    const pending = await create(DROP_TABLE, rogue);
    const message = await deployment.slack.approvalMessage(pending);

    expect((await agent.postForm('/v1/revoke', { agent: rogue.sub })).status).toBe(403);
    const operator = new Workload(deployment, OPERATOR_SUB);
    const callsBefore = deployment.aws.callLog.calls.length;
    const result = await operator.postForm('/v1/revoke', { agent: rogue.sub });
    expect(result).toMatchObject({
      status: 200,
      json: { agent: rogue.sub, cancelled: 1, revoked: 1, complete: true },
    });
    // It found them through the index of open requests (granted to it alone), reading no history.
    const tableCalls = deployment.aws.callLog.calls
      .slice(callsBefore)
      .filter((call) => call.service === 'dynamodb' && call.roleLogicalId?.includes('Revoke'));
    expect(tableCalls.filter((call) => call.action === 'dynamodb:Query').map((c) => c.resource)).toEqual([
      expect.stringMatching(/\/index\/open$/),
    ]);
    expect(tableCalls.some((call) => call.action === 'dynamodb:Scan')).toBe(false);
    expect(await executionEnded(pending)).toBe('ABORTED');
    expect(body(await rogue.poll(pending)).error).toBe('access_denied');
    expect(await ordersDb.introspect(token)).toMatchObject({ json: { active: false } });
    await deployment.slack.waitFor((call) => call.method === 'chat.update' && call.fields.ts === message.ts);
  });
});

// Not concurrent with the scenarios above: a reconciler run completes every stranded decision, and
// the fault scenarios must end as they do, not be completed by it.
describe('recovery of a decision the workflow did not take', () => {
  /** One reconciler run, as the schedule sends it; `time` a minute on, so this test's decision counts as settled. */
  async function reconcilerRun(): Promise<{ completed: number }> {
    const time = new Date(Date.now() + 61_000).toISOString();
    const event = { source: 'aws.events', 'detail-type': 'Scheduled Event', time, detail: {} };
    return (await deployment.lambdas.invoke(functionNamed(deployment, 'Reconcile'), event)) as {
      completed: number;
    };
  }

  it('SendTaskSuccess throttled twice: the vote path retries, the workflow goes on', async () => {
    const requestId = await create(DROP_TABLE);
    await deployment.slack.approvalMessage(requestId);
    let failures = 2;
    const heal = deployment.aws.stepFunctions.throttleTaskSuccess(
      (name) => name === requestId && failures-- > 0,
    );
    try {
      expect((await click(requestId, 'U0ALICE', 'approve')).response.status).toBe(200);
      expect(await executionEnded(requestId)).toBe('SUCCEEDED');
    } finally {
      heal();
    }
    expect((await agent.poll(requestId)).status).toBe(200);
  });

  it('SendTaskSuccess failing for good: the click is stored with its grant, the reconciler closes the message', async () => {
    const requestId = await create(DROP_TABLE);
    const message = await deployment.slack.approvalMessage(requestId);
    const heal = deployment.aws.stepFunctions.throttleTaskSuccess((name) => name === requestId);
    try {
      expect((await click(requestId, 'U0ALICE', 'approve')).response.status).toBe(200);
    } finally {
      heal();
    }
    // Approved, and the workflow never heard: the grant came with the click, so the token is there.
    const delivered = await agent.poll(requestId);
    expect(delivered.status, delivered.body).toBe(200);
    const callsBefore = deployment.aws.callLog.calls.length;
    expect((await reconcilerRun()).completed).toBeGreaterThanOrEqual(1);
    const reconcilerCalls = deployment.aws.callLog.calls
      .slice(callsBefore)
      .filter((call) => call.roleLogicalId?.startsWith('StepUpReconcile'));
    // It finds its work through the index of open requests, never by scanning the history.
    expect(reconcilerCalls.map((call) => call.action)).toContain('dynamodb:Query');
    expect(reconcilerCalls.map((call) => call.action)).not.toContain('dynamodb:Scan');
    expect(reconcilerCalls.filter((call) => !call.allowed)).toEqual([]);

    expect(await verifyToken(body(delivered).access_token as string)).toMatchObject({
      approval: { request_id: requestId, approvers: ['U0ALICE'] },
    });
    const update = await deployment.slack.waitFor(
      (call) => call.method === 'chat.update' && call.fields.ts === message.ts,
    );
    expect(JSON.stringify(update.fields)).toContain('Approved by <@U0ALICE>');
    const log = deployment.lambdas.logOf(functionNamed(deployment, 'Reconcile'));
    // Counted in the run's EMF record, once per request it completed (other scenarios' may be among
    // them; Powertools writes several counts of one metric as an array).
    expect(log).toMatch(/"RequestReconciled":\[?1/);
    // A second run finds nothing left to do for it.
    await reconcilerRun();
    const trail = (await agent.get(`/v1/requests/${requestId}`)).json as { events: { type: string }[] };
    expect(trail.events.filter((e) => e.type === 'grant_issued')).toHaveLength(1);
  });
  it('kill switch cut short (its call fails mid-way): the reconciler finishes the run as the operator', async () => {
    const rogue = new Workload(deployment, 'repo:example-org/example-repo:environment:rogue-cut-short');
    // Two resources: the same request twice would be one (the shipped config deduplicates).
    const pending = [
      await create(DROP_TABLE, rogue),
      await create({ ...DROP_TABLE, resource: 'prod/orders-archive' }, rogue),
    ];
    const messages = await Promise.all(pending.map((id) => deployment.slack.approvalMessage(id)));
    const operator = new Workload(deployment, OPERATOR_SUB);
    // DynamoDB fails the revoke function's request writes: the pull is recorded, the sweep dies.
    const heal = deployment.aws.dynamodb.failCalls(
      (call) =>
        call.principal.roleLogicalId.startsWith('StepUpRevoke') &&
        call.operation === 'UpdateItem' &&
        JSON.stringify(call.input.Key).includes('REQUEST#'),
    );
    let cutShort: ApiResponse;
    try {
      cutShort = await operator.postForm('/v1/revoke', { agent: rogue.sub });
    } finally {
      heal();
    }
    expect(cutShort.status).toBeGreaterThanOrEqual(500);
    for (const id of pending) expect(body(await rogue.poll(id)).error).toBe('authorization_pending');

    const callsBefore = deployment.aws.callLog.calls.length;
    await reconcilerRun();
    for (const id of pending) {
      expect(await executionEnded(id)).toBe('ABORTED');
      const trail = (await rogue.get(`/v1/requests/${id}`)).json as { status: string; events: unknown[] };
      expect(trail.status).toBe('cancelled');
      expect(trail.events).toContainEqual(
        expect.objectContaining({ type: 'cancelled', actor: `operator:${OPERATOR_SUB}` }),
      );
    }
    for (const message of messages)
      await deployment.slack.waitFor(
        (call) => call.method === 'chat.update' && call.fields.ts === message.ts,
      );
    const reconcilerCalls = deployment.aws.callLog.calls
      .slice(callsBefore)
      .filter((call) => call.roleLogicalId?.startsWith('StepUpReconcile'));
    expect(reconcilerCalls.filter((call) => !call.allowed)).toEqual([]);
    expect(reconcilerCalls.map((call) => call.action)).toContain('states:StopExecution');
    const log = deployment.lambdas.logOf(functionNamed(deployment, 'Reconcile'));
    expect(log).toContain('kill switch complete');
    expect(log).toMatch(/"KillSwitchCompleted":\[?1/);
    // Pulled again, it finds nothing of the agent open.
    expect(await operator.postForm('/v1/revoke', { agent: rogue.sub })).toMatchObject({
      status: 200,
      json: { agent: rogue.sub, cancelled: 0, revoked: 0, complete: true },
    });
  });
});

describe('AWS credentials for one approved call (STS stand-in, IAM from the template)', () => {
  it('exchanges an approved token once for a session narrowed to exactly the approved call', async () => {
    const table = `arn:aws:dynamodb:${DEPLOYED_ENV.region}:${DEPLOYED_ENV.account}:table/orders-legacy`;
    const requestId = await create({
      action: 'dynamodb:DeleteTable',
      resource: table,
      audience: AWS_TARGET.audience,
      justification: 'the legacy orders table was migrated',
    });
    await deployment.slack.approvalMessage(requestId);
    expect((await click(requestId, 'U0ALICE', 'approve')).response.status).toBe(200);
    expect(await executionEnded(requestId)).toBe('SUCCEEDED');
    const token = body(await agent.poll(requestId)).access_token as string;

    const exchange = {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    };
    const answer = await agent.postForm('/v1/credentials/aws', exchange);
    expect(answer.status, answer.body).toBe(200);
    expect(body(answer)).toMatchObject({ region: DEPLOYED_ENV.region, token_type: 'N_A' });
    const session = deployment.aws.sts.sessions.find((issued) => issued.roleSessionName === requestId);
    expect(session).toMatchObject({
      roleArn: AWS_TARGET.roleArn,
      durationSeconds: 900,
      accessKeyId: body(answer).access_key_id,
      sourceIdentity: sourceIdentityOf(agent.sub),
      tags: expect.objectContaining({ 'stepup-request': requestId, 'stepup-agent': agent.sub }),
    });
    expect(JSON.parse(session?.policy ?? '{}').Statement).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'dynamodb:DeleteTable', Resource: table }),
    ]);
    expect((await agent.postForm('/v1/credentials/aws', exchange)).json).toMatchObject({
      error: 'invalid_request',
    });
    expect(await ordersDb.introspect(token)).toMatchObject({ json: { active: false } });
    const secrets = [body(answer).secret_access_key as string, body(answer).session_token as string];
    for (const [name, log] of deployment.lambdas.allLogs()) {
      for (const secret of secrets) expect(log.includes(secret), name).toBe(false);
    }
  });
});

describe('trace: from the prompt to the downstream call', () => {
  it('trace travels into the message, token and introspection; the operation and the outcome close the trail', async () => {
    const trace = {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      session_id: 'sess_deployed',
      tool_call_id: 'toolu_01deployed',
      prompt_sha256: createHash('sha256').update('drop the legacy table').digest('hex'),
      model: 'claude-sonnet-4-5',
    };
    const bad = await agent.request({
      ...DROP_TABLE,
      trace: { ...trace, traceparent: '00-' + '0'.repeat(32) + '-00f067aa0ba902b7-01' },
    });
    expect(bad.status).toBe(400);
    expect(body(bad).error_description).toContain('trace.traceparent');

    const requestId = await create({ ...DROP_TABLE, trace });
    const message = await deployment.slack.approvalMessage(requestId, 'C0APPROVALS');
    expect(JSON.stringify(message.blocks)).toContain('sess_deployed');
    expect((await click(requestId, 'U0ALICE', 'approve')).response.status).toBe(200);
    expect(await executionEnded(requestId)).toBe('SUCCEEDED');
    const token = body(await agent.poll(requestId)).access_token as string;
    expect((await verifyToken(token)).trace).toEqual(trace);

    const outcomePath = `/v1/requests/${requestId}/outcome`;
    expect((await ordersDb.postJson(outcomePath, { result: 'succeeded' })).status).toBe(409);
    expect(
      await ordersDb.postForm('/v1/introspect', { token, method: 'DELETE', path: '/tables/orders' }),
    ).toMatchObject({ status: 200, json: { active: true, trace } });
    // Only the token's audience reports the outcome; the requesting agent is not it.
    expect(await agent.postJson(outcomePath, { result: 'succeeded' })).toMatchObject({
      status: 403,
      json: { error: 'forbidden' },
    });
    expect(await ordersDb.postJson(outcomePath, { result: 'succeeded', code: 'http_204' })).toMatchObject({
      status: 200,
      json: { auth_req_id: requestId, result: 'succeeded', code: 'http_204' },
    });
    expect((await ordersDb.postJson(outcomePath, { result: 'failed' })).status).toBe(409);

    const view = body(await agent.get(`/v1/requests/${requestId}`));
    expect(view.trace).toEqual(trace);
    const links = view.trail as { link: string; detail?: Record<string, unknown> }[];
    expect(links.map((link) => link.link)).toEqual([
      'prompt',
      'tool_call',
      'request',
      'policy',
      'vote',
      'decision',
      'grant',
      'delivery',
      'use',
      'outcome',
    ]);
    expect(links.find((link) => link.link === 'use')?.detail).toMatchObject({
      method: 'DELETE',
      path: '/tables/orders',
    });
    const events = view.events as { type: string; prev?: string }[];
    expect(verifyAuditTrail(requestId, events, view.audit_head as string)).toEqual({
      ok: true,
      chained: events.length - 1,
      unchained: 0,
    });
  });
});

describe('passkey-confirmed vote (@assurance("passkey"))', () => {
  it('the click hands out links; enrolment, the approval page and the assertion go through the bundles', async () => {
    const requestId = await create({ ...DROP_TABLE, resource: 'passkey/orders' });
    await deployment.slack.approvalMessage(requestId);
    const alice = new PasskeyApprover(deployment, 'U0ALICE');
    expect(await alice.enrol(requestId)).toMatchObject({ status: 200, json: { outcome: 'enrolled' } });
    expect(body(await agent.poll(requestId)).error).toBe('authorization_pending');
    const { page, answer } = await alice.vote(requestId, 'approve');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(answer).toMatchObject({ status: 200, json: { outcome: 'approved' } });
    expect(await executionEnded(requestId)).toBe('SUCCEEDED');
    const claims = await verifyToken(body(await agent.poll(requestId)).access_token as string);
    expect(claims.approval).toMatchObject({ approvers: ['U0ALICE'], assurance: 'passkey' });
    const library = await agent.get('/approval-assets/webauthn-browser.js');
    expect(library.status).toBe(200);
    expect(library.body).toContain('SimpleWebAuthnBrowser');

    // A second passkey: refused without an assertion of the first, added with one; then the first
    // is removed, and the second votes.
    const next = await create({ ...DROP_TABLE, resource: 'passkey/second' });
    await deployment.slack.approvalMessage(next);
    const { without, added, old } = await alice.addPasskey(next);
    expect(without).toMatchObject({ status: 403, json: { error: 'access_denied' } });
    expect(added).toMatchObject({ status: 200, json: { outcome: 'enrolled' } });
    expect(await alice.removePasskey(next, old)).toMatchObject({ status: 200, json: { outcome: 'removed' } });
    expect((await alice.vote(next, 'approve')).answer).toMatchObject({
      status: 200,
      json: { outcome: 'approved' },
    });
  });
});

describe('after all scenarios', () => {
  it('no AWS call was refused by IAM', () => {
    expect(deployment.aws.callLog.denied()).toEqual([]);
  });

  it('no function logged a task token, an access token, the Slack bot token or the signing secret', () => {
    const secrets = [deployment.slackCredentials.botToken, deployment.slackCredentials.signingSecret];
    const accessTokens = deployment.issuedTokens;
    expect(deployment.taskTokens.length).toBeGreaterThan(0);
    expect(accessTokens.length).toBeGreaterThan(0);
    for (const [name, log] of deployment.lambdas.allLogs()) {
      for (const secret of [...secrets, ...deployment.taskTokens, ...accessTokens]) {
        expect(log.includes(secret), `${name} logged a secret`).toBe(false);
      }
    }
  });

  it('history: the 4th row deletion within the hour needs 2 owners; GET /v1/agents shows the counts, 403 to others', async () => {
    const bursty = new Workload(deployment, 'repo:example-org/example-repo:environment:history');
    const quorums: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const id = await create(
        {
          action: 'db:DeleteRows',
          resource: `prod/db/t${i}`,
          audience: 'orders-db',
          justification: 'cleanup',
        },
        bursty,
      );
      const view = body(await bursty.get(`/v1/requests/${id}`));
      quorums.push((view.requirements as Record<string, unknown> | undefined)?.quorum);
    }
    expect(quorums).toEqual([1, 1, 1, 2]);
    expect((await bursty.get('/v1/agents')).status).toBe(403);
    const listed = await new Workload(deployment, OPERATOR_SUB).get('/v1/agents');
    expect(listed.status, listed.body).toBe(200);
    const row = (body(listed).agents as Record<string, unknown>[]).find((a) => a.agent === bursty.sub);
    expect(row).toMatchObject({
      pending: 4,
      last_24h: { requests: 4 },
      last_7d: { requests: 4 },
      kill_switch: null,
    });
  });

  it('no function connected to anything but 127.0.0.1', () => {
    expect(deployment.lambdas.refusedEgress).toEqual([]);
  });
});
