import { EMPTY_HISTORY } from '../../lambdas/domain/agents/agent-history';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../client/cli/main';
import { decisionView } from '../../lambdas/domain/votes/decision-view';
import type { PolicyTestCase } from '../../lambdas/domain/policy/policy-test';
import { loadPolicyTests } from '../../lambdas/loaders/policy-test-files';
import type { PolicyDecision } from '../../lambdas/ports/approval-policy';
import type { LocalRuntime } from '../../local/runtime';
import { Api, testConfig, useTestRuntime } from './support';
import { registeredAgent } from '../helpers/registered-agent';

/*
 * The OpenID AuthZEN Authorization API 1.0 shapes (§5 information model, §6 evaluation, §7
 * evaluations, §10 metadata), written from the spec independently of stepup's own schemas: every
 * request this test sends and every answer it gets must fit them.
 */
const entity = z.object({
  type: z.string(),
  id: z.string(),
  properties: z.optional(z.record(z.string(), z.unknown())),
});
const specAction = z.object({ name: z.string(), properties: z.optional(z.record(z.string(), z.unknown())) });
const specContext = z.record(z.string(), z.unknown());
const specEvaluationRequest = z.object({
  subject: entity,
  action: specAction,
  resource: entity,
  context: z.optional(specContext),
});
const specEvaluationResponse = z.object({ decision: z.boolean(), context: z.optional(specContext) });
const specEvaluationsRequest = z.object({
  subject: z.optional(entity),
  action: z.optional(specAction),
  resource: z.optional(entity),
  context: z.optional(specContext),
  evaluations: z.optional(
    z.array(
      z.object({
        subject: z.optional(entity),
        action: z.optional(specAction),
        resource: z.optional(entity),
        context: z.optional(specContext),
      }),
    ),
  ),
  options: z.optional(
    z.object({
      evaluations_semantic: z.optional(
        z.enum(['execute_all', 'deny_on_first_deny', 'permit_on_first_permit']),
      ),
    }),
  ),
});
const specEvaluationsResponse = z.object({ evaluations: z.array(specEvaluationResponse) });
const specMetadata = z.object({
  policy_decision_point: z.string(),
  access_evaluation_endpoint: z.string(),
  access_evaluations_endpoint: z.string(),
});

const AGENT = 'repo:example-org/example-repo:ref:refs/heads/main';
const GATEWAY = 'mcp-gateway';

describe('OpenID AuthZEN', () => {
  let runtime: LocalRuntime;
  let api: Api;
  useTestRuntime(
    (started) => ({ runtime, api } = started),
    testConfig({
      agents: {
        // The sample's registry (the policy tests' agents and teams), and one more agent.
        admit: [...testConfig().agents.admit, registeredAgent({ sub: 'deploy-bot' })],
        gateways: [GATEWAY],
      },
    }),
  );

  const evaluation = async (body: unknown, bearer: string) => {
    specEvaluationRequest.parse(body);
    const answered = await api.postJson('/access/v1/evaluation', body, bearer);
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    return specEvaluationResponse.parse(answered.body);
  };
  const evaluations = async (body: unknown, bearer: string) => {
    specEvaluationsRequest.parse(body);
    return api.postJson('/access/v1/evaluations', body, bearer);
  };

  /** The AuthZEN request of a policy test case, with the human's own id_token when it is verified. */
  const requestOf = async (c: PolicyTestCase) => {
    const q = c.question;
    const humanToken = q.humanVerified
      ? ((await api.postJson('/dev/id-token', { email: q.onBehalfOf })).body.id_token as string)
      : undefined;
    const context = {
      ...(q.onBehalfOf ? { on_behalf_of: q.onBehalfOf } : {}),
      ...(humanToken ? { subject_token: humanToken } : {}),
      ...(Object.keys(q.signals).length > 0 ? { signals: q.signals } : {}),
      ...(q.requestedTtlSeconds > 0 ? { requested_ttl_seconds: q.requestedTtlSeconds } : {}),
    };
    return {
      subject: { type: 'agent', id: q.agent },
      action: { name: q.action },
      resource: { type: 'resource', id: q.resource, properties: { audience: q.audience } },
      ...(Object.keys(context).length > 0 ? { context } : {}),
    };
  };

  /** `stepup policy explain --json` for the same question. */
  const explain = (c: PolicyTestCase): PolicyDecision => {
    const q = c.question;
    const out: string[] = [];
    const code = runCommand(
      [
        'policy',
        'explain',
        '--json',
        '--agent',
        q.agent,
        '--action',
        q.action,
        '--resource',
        q.resource,
        '--audience',
        q.audience,
        ...(q.onBehalfOf ? ['--on-behalf-of', q.onBehalfOf] : []),
        ...(q.humanVerified ? ['--verified'] : []),
        ...Object.entries(q.signals).flatMap(([name, value]) => ['--signal', `${name}=${value}`]),
      ],
      { out: (l) => out.push(l), err: (l) => out.push(l) },
    );
    expect(code).toBe(0);
    return JSON.parse(out.join('\n')) as PolicyDecision;
  };

  // AuthZEN answers from the agent's recorded history, never from the caller; a case that sets a
  // history asks what no evaluation can be told, so it is for `stepup policy test/explain` only.
  const cases = loadPolicyTests('policies/tests').filter(
    (c) => JSON.stringify(c.question.history) === JSON.stringify(EMPTY_HISTORY),
  );

  it.each(cases.map((c) => [c.name, c] as const))(
    'agrees with stepup policy explain: %s',
    async (_name, c) => {
      const { decision: outcome, ...view } = decisionView(explain(c));
      const answer = await evaluation(await requestOf(c), await runtime.devToken(c.question.agent));
      if (view.reason?.endsWith('is not an action the policy schema declares')) {
        // The policies deny it; the API refuses to ask them at all (400 on POST /v1/requests).
        expect(answer).toEqual({
          decision: false,
          context: {
            error: 'invalid_request',
            error_description: expect.stringMatching(/^action is not one the policy schema declares/),
          },
        });
        return;
      }
      expect(answer.decision).toBe(outcome === 'auto_approve');
      const { request_endpoint: endpoint, ...context } = answer.context ?? {};
      expect(context).toEqual({ policy_outcome: outcome, ...view });
      expect(context.policy_outcome).toBe(c.expect.decision);
      if (outcome === 'deny') expect(endpoint).toBeUndefined();
      else expect(endpoint).toBe(`${runtime.url}/v1/requests`);
    },
  );

  it('created, stored and paged nothing for all of those evaluations', async () => {
    const scanned = await runtime.dynamo.client.send(
      new ScanCommand({ TableName: runtime.dynamo.tableName }),
    );
    expect(scanned.Count).toBe(0);
    expect(runtime.slack?.messages).toEqual([]);
  });

  describe('a batch', () => {
    const resource = { type: 'resource', id: 'prod/orders', properties: { audience: 'orders-db' } };
    const batch = (semantic?: string) => ({
      subject: { type: 'agent', id: 'deploy-bot' },
      resource,
      evaluations: [
        { action: { name: 'payments:Transfer' } },
        { action: { name: 'logs:Read' } },
        { action: { name: 'db:DropTable' } },
      ],
      ...(semantic ? { options: { evaluations_semantic: semantic } } : {}),
    });
    const outcomes = async (semantic?: string) => {
      const answered = await evaluations(batch(semantic), await runtime.devToken('deploy-bot'));
      expect(answered.status, JSON.stringify(answered.body)).toBe(200);
      return specEvaluationsResponse
        .parse(answered.body)
        .evaluations.map((e) => `${e.decision}:${String(e.context?.policy_outcome)}`);
    };

    it('answers every evaluation in order by default (execute_all)', async () => {
      const all = ['false:deny', 'true:auto_approve', 'false:step_up'];
      expect(await outcomes()).toEqual(all);
      expect(await outcomes('execute_all')).toEqual(all);
    });

    it('stops after the first deny with deny_on_first_deny', async () => {
      expect(await outcomes('deny_on_first_deny')).toEqual(['false:deny']);
    });

    it('stops after the first permit with permit_on_first_permit', async () => {
      expect(await outcomes('permit_on_first_permit')).toEqual(['false:deny', 'true:auto_approve']);
    });

    it('lets an evaluation replace the defaults, and answers a batch without evaluations as one evaluation', async () => {
      const token = await runtime.devToken('deploy-bot');
      const replaced = await evaluations(
        {
          ...batch(),
          evaluations: [{ action: { name: 'deploy:Deploy' }, resource: { ...resource, id: 'staging/web' } }],
        },
        token,
      );
      expect(specEvaluationsResponse.parse(replaced.body).evaluations).toEqual([
        expect.objectContaining({ decision: true }),
      ]);
      const single = await evaluations(
        { subject: batch().subject, resource, action: { name: 'logs:Read' } },
        token,
      );
      expect(specEvaluationResponse.parse(single.body)).toMatchObject({
        decision: true,
        context: { policy_outcome: 'auto_approve' },
      });
    });

    it('refuses an evaluation that lacks a part, and an unknown semantic, naming the field', async () => {
      const token = await runtime.devToken('deploy-bot');
      const partless = await api.postJson(
        '/access/v1/evaluations',
        { evaluations: [{ action: { name: 'logs:Read' } }] },
        token,
      );
      expect(partless).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      expect(partless.body.error_description).toMatch(/evaluations\[0\] needs a subject/);
      const unknown = await api.postJson(
        '/access/v1/evaluations',
        { ...batch(), options: { evaluations_semantic: 'first' } },
        token,
      );
      expect(unknown).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      expect(unknown.body.error_description).toMatch(/options: evaluations_semantic must be one of/);
    });
  });

  describe('who may ask', () => {
    const about = (id: string) => ({
      subject: { type: 'agent', id },
      action: { name: 'logs:Read' },
      resource: { type: 'resource', id: 'prod/app-logs', properties: { audience: 'logs' } },
    });

    it('an agent only about itself (403 forbidden for another, nothing evaluated)', async () => {
      const refused = await api.postJson(
        '/access/v1/evaluation',
        about(AGENT),
        await runtime.devToken('deploy-bot'),
      );
      expect(refused).toMatchObject({ status: 403, body: { error: 'forbidden' } });
      const batch = await api.postJson(
        '/access/v1/evaluations',
        { evaluations: [about('deploy-bot'), about(AGENT)] },
        await runtime.devToken('deploy-bot'),
      );
      expect(batch).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    });

    it('a configured gateway about any admitted agent; an agent that is not admitted is false', async () => {
      const token = await runtime.devToken(GATEWAY);
      expect(await evaluation(about(AGENT), token)).toMatchObject({ decision: true });
      expect(await evaluation(about('stranger'), token)).toEqual({
        decision: false,
        context: { error: 'unknown_agent', error_description: 'the subject is not an admitted agent' },
      });
    });

    it('nobody without a workload token', async () => {
      const anonymous = await api.postJson('/access/v1/evaluation', about('deploy-bot'));
      expect(anonymous.status).toBe(401);
    });
  });

  it('answers a question the policies cannot take as false with the error, the rest of a batch still answered', async () => {
    const token = await runtime.devToken('deploy-bot');
    const answered = await evaluations(
      {
        subject: { type: 'agent', id: 'deploy-bot' },
        resource: { type: 'resource', id: 'prod/app-logs', properties: { audience: 'logs' } },
        evaluations: [
          { action: { name: 'logs:Read' }, context: { signals: { mood: 'confident' } } },
          { action: { name: 'logs:Read' } },
        ],
      },
      token,
    );
    expect(specEvaluationsResponse.parse(answered.body).evaluations).toEqual([
      {
        decision: false,
        context: { error: 'invalid_request', error_description: expect.stringMatching(/context/) },
      },
      expect.objectContaining({ decision: true }),
    ]);
  });

  it('publishes the PDP metadata at /.well-known/authzen-configuration, without a credential', async () => {
    const metadata = await api.get('/.well-known/authzen-configuration');
    expect(metadata.status).toBe(200);
    expect(specMetadata.parse(metadata.body)).toEqual({
      policy_decision_point: runtime.url,
      access_evaluation_endpoint: `${runtime.url}/access/v1/evaluation`,
      access_evaluations_endpoint: `${runtime.url}/access/v1/evaluations`,
    });
  });
});
