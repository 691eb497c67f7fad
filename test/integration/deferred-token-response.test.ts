import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { Api, eventually, slackMessage, startTestRuntime, testConfig, useTestRuntime } from './support';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const DEFERRED = 'urn:ietf:params:oauth:grant-type:deferred';

const details = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify([
    {
      type: 'stepup_action',
      actions: ['db:DropTable'],
      identifier: 'prod/orders',
      locations: ['orders-db'],
      justification: 'Drop the legacy orders table (CHG-7).',
      ...overrides,
    },
  ]);

/** A DTR token exchange (form body, as an OAuth client sends it). */
const deferredRequest = (api: Api, agent: string, fields: Record<string, string> = {}) =>
  api.postForm(
    '/v1/token',
    {
      grant_type: EXCHANGE,
      completion_mode: 'deferred',
      subject_token: agent,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      authorization_details: details(),
      ...fields,
    },
    agent,
  );

const deferredPoll = (api: Api, agent: string, code: string) =>
  api.postForm('/v1/token', { grant_type: DEFERRED, deferral_code: code }, agent);

/** Polls by deferral code until the answer is no longer pending (waits on the event). */
const pollUntilDecided = (api: Api, agent: string, code: string) =>
  eventually(async () => {
    const answer = await deferredPoll(api, agent, code);
    return ['authorization_pending', 'slow_down'].includes(answer.body.error as string) ? undefined : answer;
  });

describe('Deferred Token Response (draft-ietf-oauth-deferred-token-response-01)', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  useTestRuntime((started) => ({ runtime, api, agent } = started));

  /** Creates a deferred request and checks the pending answer; returns the deferral code. */
  const deferred = async () => {
    const pending = await deferredRequest(api, agent);
    expect(pending).toEqual({
      status: 400,
      body: {
        error: 'authorization_pending',
        error_description: expect.any(String),
        deferral_code: expect.any(String),
        interval: 5,
        expires_in: expect.any(Number),
        binding_code: expect.any(String),
      },
    });
    return pending.body.deferral_code as string;
  };

  it('advertises DTR in the authorization server metadata', async () => {
    const metadata = await api.get('/.well-known/oauth-authorization-server');
    expect(metadata.body).toMatchObject({
      deferred_token_response_supported: true,
      grant_types_supported: expect.arrayContaining([EXCHANGE, DEFERRED]),
    });
  });

  it('happy path: pending, an approver clicks, the deferred poll gets a token that verifies', async () => {
    const code = await deferred();
    // The same request as POST /v1/requests creates: visible there under the deferral code.
    expect((await api.get(`/v1/requests/${code}`, agent)).body).toMatchObject({
      status: 'pending',
      action: 'db:DropTable',
    });
    await slackMessage(runtime, code);
    await runtime.click({ requestId: code, user: 'U0ALICE', decision: 'approve' });
    const answer = await pollUntilDecided(api, agent, code);
    expect(answer.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL(`${runtime.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(answer.body.access_token as string, jwks, {
      algorithms: ['ES256'],
      typ: 'at+jwt',
      issuer: runtime.url,
      audience: 'orders-db',
    });
    expect(payload).toMatchObject({
      sub: 'deploy-bot',
      authorization_details: [
        {
          type: 'stepup_action',
          actions: ['db:DropTable'],
          identifier: 'prod/orders',
          locations: ['orders-db'],
        },
      ],
    });
  });

  it('denial: the deferred poll answers access_denied', async () => {
    const code = await deferred();
    await slackMessage(runtime, code);
    await runtime.click({ requestId: code, user: 'U0BOB', decision: 'deny' });
    const answer = await pollUntilDecided(api, agent, code);
    expect(answer).toMatchObject({ status: 403, body: { error: 'access_denied' } });
  });

  it('cancel: /v1/revoke with token_type_hint=deferral_code withdraws the request', async () => {
    const code = await deferred();
    const revoked = await api.postForm(
      '/v1/revoke',
      { token: code, token_type_hint: 'deferral_code' },
      agent,
    );
    expect(revoked.status).toBe(200);
    expect((await runtime.store.get(code))?.status).toBe('CANCELLED');
    expect((await pollUntilDecided(api, agent, code)).body.error).toBe('access_denied');
  });

  it('binds the deferral code to its agent: another agent can neither poll nor cancel it', async () => {
    const code = await deferred();
    const other = await runtime.devToken('other-bot');
    expect((await deferredPoll(api, other, code)).body.error).toBe('invalid_grant');
    await api.postForm('/v1/revoke', { token: code, token_type_hint: 'deferral_code' }, other);
    expect((await runtime.store.get(code))?.status).toBe('PENDING');
  });

  it('refuses bad input with 400 and creates nothing', async () => {
    const other = await runtime.devToken('other-bot');
    const cases: Record<string, string>[] = [
      { subject_token: other },
      { subject_token_type: 'urn:ietf:params:oauth:token-type:access_token' },
      { completion_mode: 'immediate' },
      { authorization_details: 'not json' },
      { authorization_details: details({ type: 'payment_initiation' }) },
      { authorization_details: details({ actions: ['db:DropTable', 'db:Select'] }) },
      { authorization_details: details({ locations: [] }) },
      { authorization_details: details({ actions: ['<script>'] }) },
      { authorization_details: details({ extra: 'x' }) },
    ];
    const before = await runtime.store.listByAgent('deploy-bot');
    for (const fields of cases) {
      const answer = await deferredRequest(api, agent, fields);
      expect(answer.status, JSON.stringify(fields)).toBe(400);
      expect(answer.body.error).toBe('invalid_request');
      expect(JSON.stringify(answer.body)).not.toContain('<script>');
    }
    expect((await deferredPoll(api, agent, '')).status).toBe(400);
    expect(
      (await api.postForm('/v1/token', { grant_type: 'urn:example:other', deferral_code: 'x' }, agent)).body
        .error,
    ).toBe('unsupported_grant_type');
    expect(await runtime.store.listByAgent('deploy-bot')).toEqual(before);
  });
});

describe('a deferred request nobody decides in time', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;

  beforeAll(async () => {
    const config = testConfig();
    // The pending answer is the creation itself: the window only has to outlast that one call.
    runtime = await startTestRuntime({
      ...config,
      defaults: { ...config.defaults, approvalTimeoutSeconds: 3 },
    });
    api = new Api(runtime);
    agent = await runtime.devToken('deploy-bot');
  });
  afterAll(() => runtime.stop());

  it('answers the deferred poll expired_token', async () => {
    const pending = await deferredRequest(api, agent);
    expect(pending.body.error).toBe('authorization_pending');
    const answer = await pollUntilDecided(api, agent, pending.body.deferral_code as string);
    expect(answer).toEqual({
      status: 400,
      body: { error: 'expired_token', error_description: expect.any(String) },
    });
  });
});
