import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createStepUpVerifier, StepUpTokenError } from '../../client/resource-server';
import type { LocalRuntime } from '../../local/runtime';
import { Api, pollUntilDecided, slackMessage, useTestRuntime } from './support';

/** The arguments the agent will send, written in an order and spacing JCS does not care about. */
const PARAMETERS = { sql: 'DROP TABLE orders', options: { cascade: false, timeout_ms: 5000 } };
/** RFC 8785 canonical form of {@link PARAMETERS}, written out by hand: members sorted, no spaces. */
const CANONICAL = '{"options":{"cascade":false,"timeout_ms":5000},"sql":"DROP TABLE orders"}';
const DIGEST = createHash('sha256').update(CANONICAL, 'utf8').digest('base64url');

const DROP_ORDERS = { action: 'db:DropTable', resource: 'prod/orders' } as const;

describe('approval bound to the exact arguments (parameters), against the local runtime', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  let ordersDb: string;

  useTestRuntime(async (started) => {
    ({ runtime, api, agent } = started);
    ordersDb = await runtime.devToken('orders-db');
  });

  const verifier = () =>
    createStepUpVerifier({
      issuer: runtime.url,
      audience: 'orders-db',
      introspect: { bearer: async () => ordersDb },
    });

  async function approvedToken(parameters: unknown) {
    const requestId = await api.createRequest(agent, { parameters });
    await slackMessage(runtime, requestId);
    expect((await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' })).status).toBe(200);
    const delivered = await pollUntilDecided(api, agent, requestId);
    expect(delivered.status).toBe(200);
    return { requestId, token: delivered.body.access_token as string, body: delivered.body };
  }

  it('puts parameters_sha256 in the token, binds verifyAndConsume to it, and records a mismatch without consuming', async () => {
    const { requestId, token, body } = await approvedToken(PARAMETERS);
    expect(body.authorization_details).toStrictEqual([
      {
        type: 'stepup_action',
        actions: ['db:DropTable'],
        identifier: 'prod/orders',
        locations: ['orders-db'],
        parameters_sha256: DIGEST,
      },
    ]);
    expect(decodeJwt(token).authorization_details).toStrictEqual(body.authorization_details);

    // The request view shows the arguments (canonical order) and the digest.
    const view = await api.get(`/v1/requests/${requestId}`, agent);
    expect(view.body).toMatchObject({
      parameters: JSON.parse(CANONICAL) as unknown,
      parameters_sha256: DIGEST,
    });

    // Other arguments: refused before anything is consumed; stepup records the attempt.
    const refused = await verifier()
      .verifyAndConsume(token, { ...DROP_ORDERS, parameters: { ...PARAMETERS, sql: 'DROP TABLE customers' } })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(StepUpTokenError);
    expect(refused).toMatchObject({ code: 'parameters_mismatch', status: 403 });
    // Without the arguments at all, a bound token is refused too (nothing asked of stepup).
    await expect(verifier().verifyAndConsume(token, DROP_ORDERS)).rejects.toMatchObject({
      code: 'parameters_required',
    });
    const events = (await api.get(`/v1/requests/${requestId}`, agent)).body.events as {
      type: string;
      actor: string;
      detail?: Record<string, unknown>;
    }[];
    const mismatch = events.filter((event) => event.type === 'parameters_mismatch');
    expect(mismatch).toHaveLength(1);
    expect(mismatch[0]).toMatchObject({
      actor: 'resource-server:orders-db',
      detail: { approved_parameters_sha256: DIGEST },
    });
    expect(events.some((event) => event.type === 'token_consumed')).toBe(false);

    // The right arguments, in another member order: accepted, once.
    const claims = await verifier().verifyAndConsume(token, {
      ...DROP_ORDERS,
      parameters: { options: { timeout_ms: 5000, cascade: false }, sql: 'DROP TABLE orders' },
    });
    expect(claims.authorization_details[0]?.parameters_sha256).toBe(DIGEST);
    await expect(
      verifier().verifyAndConsume(token, { ...DROP_ORDERS, parameters: PARAMETERS }),
    ).rejects.toMatchObject({ code: 'token_used' });
  });

  it('introspection shows parameters_sha256 and refuses another digest without consuming', async () => {
    const { token } = await approvedToken(PARAMETERS);
    const other = createHash('sha256').update('{}').digest('base64url');
    const wrong = await api.postForm('/v1/introspect', { token, parameters_sha256: other }, ordersDb);
    expect(wrong).toStrictEqual({ status: 200, body: { active: false } });
    const right = await api.postForm('/v1/introspect', { token, parameters_sha256: DIGEST }, ordersDb);
    expect(right.body).toMatchObject({
      active: true,
      authorization_details: [{ parameters_sha256: DIGEST }],
    });
  });

  it('refuses parameters for a token that binds none, and a request without parameters works as before', async () => {
    const { token } = await approvedToken(undefined);
    await expect(
      verifier().verifyAndConsume(token, { ...DROP_ORDERS, parameters: PARAMETERS }),
    ).rejects.toMatchObject({ code: 'parameters_mismatch' });
    expect((await verifier().verifyAndConsume(token, DROP_ORDERS)).jti).toBeTypeOf('string');
  });

  it('refuses parameters over 8 KB canonical, a non-object and an inexact integer (400, not echoed), storing nothing', async () => {
    const before = (await runtime.store.listByAgent('deploy-bot')).length;
    const secret = 'S3CRET-ARGUMENT';
    for (const [parameters, says] of [
      [{ sql: `${secret}${'x'.repeat(8192)}` }, 'bytes once canonicalised'],
      [[secret], 'must be a JSON object'],
      [secret, 'must be a JSON object'],
    ] as const) {
      const answer = await api.postJson(
        '/v1/requests',
        { ...DROP_ORDERS, audience: 'orders-db', justification: 'x', parameters },
        agent,
      );
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('invalid_request');
      expect(answer.body.error_description).toContain(says);
      expect(JSON.stringify(answer.body)).not.toContain(secret);
    }
    const raw = `{"action":"db:DropTable","resource":"prod/orders","audience":"orders-db","justification":"x","parameters":{"id":12345678901234567890}}`;
    const inexact = await api.postJson('/v1/requests', raw, agent);
    expect(inexact).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const repeated = `{"action":"db:DropTable","resource":"prod/orders","audience":"orders-db","justification":"x","parameters":{"sql":"SELECT 1","sql":"DROP TABLE orders"}}`;
    expect((await api.postJson('/v1/requests', repeated, agent)).status).toBe(400);
    expect((await runtime.store.listByAgent('deploy-bot')).length).toBe(before);
  });
});
