import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { SignJWT, decodeJwt, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { StepUpClient, UnauthenticatedError } from '../../client/agent';
import { slackSignatureHeaders } from '../../local/slack-signature';
import { Api, slackMessage, useTestRuntime } from './support';

const errorShape = { error: expect.any(String), error_description: expect.any(String) };

describe('bad input never changes state and gets a 4xx with {error, error_description}', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;

  const tableSnapshot = async () =>
    (
      await runtime.dynamo.client.send(
        new ScanCommand({ TableName: runtime.dynamo.tableName, ConsistentRead: true }),
      )
    ).Items;

  useTestRuntime((started) => ({ runtime, api, agent } = started));

  describe('API authentication', () => {
    it('rejects a request without a bearer token', async () => {
      const response = await api.postJson('/v1/requests', { action: 'db:DropTable' });
      expect(response).toEqual({
        status: 401,
        body: { error: 'invalid_token', error_description: expect.any(String) },
      });
    });

    it('rejects a bearer from another issuer, an expired one, and garbage', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const forged = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(`${runtime.url}/dev`)
        .setAudience('stepup')
        .setSubject('deploy-bot')
        .setExpirationTime('1h')
        .sign(privateKey);
      for (const bearer of [forged, 'not-a-jwt', `${agent}x`]) {
        expect((await api.get('/v1/requests/abc', bearer)).status).toBe(401);
      }
    });
  });

  describe('actionable 401s: the body and the Bearer challenge say why, never echoing the token', () => {
    /** A POST /v1/token with `bearer`: status, body and the WWW-Authenticate challenge. */
    async function refusal(bearer: string | undefined) {
      const response = await fetch(`${runtime.url}/v1/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
        },
        body: 'grant_type=urn:openid:params:grant-type:ciba&auth_req_id=abc',
      });
      const body = (await response.json()) as { error: string; error_description: string };
      const challenge = response.headers.get('www-authenticate') ?? '';
      expect(response.status).toBe(401);
      expect(body.error).toBe('invalid_token');
      expect(challenge).toBe(`Bearer error="invalid_token", error_description="${body.error_description}"`);
      if (bearer)
        for (const part of bearer.split('.')) expect(challenge + body.error_description).not.toContain(part);
      return body.error_description;
    }

    it('expired, not signed by the configured issuer, another audience, malformed, missing: each says so', async () => {
      const expired = await runtime.devToken('deploy-bot', {}, -60);
      const exp = new Date((decodeJwt(expired).exp ?? 0) * 1000).toISOString();
      expect(await refusal(expired)).toBe(
        `the workload token expired at ${exp}; get a fresh one from the identity provider`,
      );
      const { privateKey } = await generateKeyPair('ES256');
      const forged = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(`${runtime.url}/dev`)
        .setAudience('stepup')
        .setSubject('deploy-bot')
        .setExpirationTime('1h')
        .sign(privateKey);
      expect(await refusal(forged)).toBe(
        `the workload token is not signed by the configured issuer (${runtime.url}/dev)`,
      );
      expect(await refusal('not-a-jwt')).toBe('the bearer is not a well-formed signed JWT');
      expect(await refusal(undefined)).toBe(
        'a workload bearer token is required (Authorization: Bearer <workload JWT>)',
      );
    });

    it('the agent client throws an UnauthenticatedError carrying the reason', async () => {
      const stepup = new StepUpClient({
        baseUrl: runtime.url,
        token: await runtime.devToken('deploy-bot', {}, -60),
      });
      const error = await stepup.getStatus('abc').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnauthenticatedError);
      expect(error).toMatchObject({ code: 'unauthenticated', status: 401 });
      expect((error as UnauthenticatedError).reason).toMatch(/^the workload token expired at \d{4}-/);
    });
  });

  describe('workload identity', () => {
    it('refuses a sub that would forge a line in the approval message, before anything is stored', async () => {
      const before = await tableSnapshot();
      const forger = await runtime.devToken('deploy-bot\nApproved by: security');
      const response = await api.postJson(
        '/v1/requests',
        { action: 'db:DropTable', resource: 'prod/orders', audience: 'orders-db', justification: 'j' },
        forger,
      );
      expect(response).toEqual({ status: 401, body: { ...errorShape, error: 'invalid_token' } });
      expect(await tableSnapshot()).toEqual(before);
    });
  });

  describe('POST /v1/requests', () => {
    const before = { count: 0 };
    beforeAll(async () => {
      before.count = (await tableSnapshot())?.length ?? 0;
    });

    it.each([
      ['not JSON', '{"action":'],
      ['an array', '[]'],
      ['missing fields', '{}'],
      [
        'an unknown field',
        { action: 'db:DropTable', resource: 'r', audience: 'a', justification: 'j', admin: true },
      ],
      ['a malformed action', { action: 'drop everything', resource: 'r', audience: 'a', justification: 'j' }],
      [
        'a bidi override',
        { action: 'db:DropTable', resource: 'prod/\u202eorders', audience: 'a', justification: 'j' },
      ],
      [
        'a 2001-character justification',
        { action: 'db:DropTable', resource: 'r', audience: 'a', justification: 'x'.repeat(2001) },
      ],
      [
        'a huge ttl',
        {
          action: 'db:DropTable',
          resource: 'r',
          audience: 'a',
          justification: 'j',
          requested_ttl_seconds: 1e9,
        },
      ],
    ])('rejects %s with 400', async (_name, body) => {
      const response = await api.postJson('/v1/requests', body, agent);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ ...errorShape, error: 'invalid_request' });
    });

    const valid = {
      action: 'logs:Read',
      resource: 'prod/orders',
      audience: 'orders-db',
      justification: 'read the logs',
    };

    it.each([
      ['a lone surrogate in resource', { ...valid, resource: 'prod/\ud800orders' }],
      ['a lone surrogate in on_behalf_of', { ...valid, on_behalf_of: 'carol\udfff' }],
      ['a lone surrogate in a context value', { ...valid, context: { ticket: 'CHG-\ud800' } }],
      ['a lone surrogate in justification', { ...valid, justification: 'why \udc00' }],
      ['a soft hyphen in resource', { ...valid, resource: 'prod/or\u00adders' }],
      ['a hangul filler as justification', { ...valid, justification: '\u3164' }],
      ['a braille blank in on_behalf_of', { ...valid, on_behalf_of: 'carol\u2800' }],
      ['a tag character in a context value', { ...valid, context: { ticket: 'CHG\u{e0041}' } }],
      [
        'an EC point off the curve',
        {
          ...valid,
          dpop_jwk: {
            kty: 'EC',
            crv: 'P-256',
            x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
            y: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
          },
        },
      ],
    ])('rejects %s with 400 (never 500, never reaching Cedar malformed)', async (_name, body) => {
      const response = await api.postJson('/v1/requests', body, agent);
      expect(response).toEqual({ status: 400, body: { ...errorShape, error: 'invalid_request' } });
    });

    it('rejects a repeated member name, which JSON.parse would resolve to the last (auto-approved) one', async () => {
      const raw = `{"action":"db:DropTable","action":"logs:Read","resource":"prod/orders","audience":"orders-db","justification":"x"}`;
      const response = await api.postJson('/v1/requests', raw, agent);
      expect(response).toEqual({
        status: 400,
        body: { error: 'invalid_request', error_description: 'body repeats a member name within one object' },
      });
    });

    it('never echoes an unknown field name', async () => {
      const response = await api.postJson(
        '/v1/requests',
        { ...valid, '<img src=x>': 1, on_behalf: 'x' },
        agent,
      );
      expect(response.status).toBe(400);
      expect(response.body.error_description).toMatch(/^2 unknown fields; the accepted fields are action, /);
      expect(JSON.stringify(response.body)).not.toMatch(/img|on_behalf"/);
    });

    it('rejects a form-encoded create (JSON only)', async () => {
      const response = await api.postForm('/v1/requests', { action: 'db:DropTable' }, agent);
      expect(response).toEqual({ status: 400, body: { ...errorShape, error: 'invalid_request' } });
    });

    it('stored nothing for any of them', async () => {
      expect((await tableSnapshot())?.length ?? 0).toBe(before.count);
    });
  });

  describe('POST /v1/token and /v1/introspect', () => {
    it('rejects a wrong grant type, a missing id and an unknown id', async () => {
      const wrongGrant = await api.postForm(
        '/v1/token',
        { grant_type: 'client_credentials', auth_req_id: 'x' },
        agent,
      );
      expect(wrongGrant).toEqual({ status: 400, body: { ...errorShape, error: 'unsupported_grant_type' } });
      const missing = await api.postForm(
        '/v1/token',
        { grant_type: 'urn:openid:params:grant-type:ciba' },
        agent,
      );
      expect(missing).toEqual({ status: 400, body: { ...errorShape, error: 'invalid_request' } });
      const unknown = await api.poll(agent, 'AAAAAAAAAAAAAAAAAAAAAAAA');
      expect(unknown).toEqual({ status: 400, body: { ...errorShape, error: 'invalid_grant' } });
    });

    it('answers {active:false} for a garbage token and 400 for a missing one', async () => {
      expect(await api.introspect(agent, 'garbage')).toEqual({ status: 200, body: { active: false } });
      const missing = await api.postForm('/v1/introspect', {}, agent);
      expect(missing).toEqual({ status: 400, body: { ...errorShape, error: 'invalid_request' } });
    });
  });

  describe('local dev routes', () => {
    it('refuse anything but JSON, so no web page can mint tokens or click Approve cross-site', async () => {
      const form = await fetch(`${runtime.url}/dev/slack/click`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ auth_req_id: 'x', user: 'U0ALICE', decision: 'approve' }),
      });
      expect(form.status).toBe(415);
      const token = await fetch(`${runtime.url}/dev/token`, { method: 'POST', body: '{"sub":"evil"}' });
      expect(token.status).toBe(415);
    });
  });

  describe('unknown routes', () => {
    it('404 and 405 in the error shape', async () => {
      expect(await api.get('/v2/nothing')).toEqual({
        status: 404,
        body: { ...errorShape, error: 'not_found' },
      });
      expect((await api.get('/v1/token')).status).toBe(405);
    });
  });

  describe('Slack ingress', () => {
    let requestId: string;
    beforeAll(async () => {
      requestId = await api.createRequest(agent);
      await slackMessage(runtime, requestId);
    });

    const post = (body: string, headers: Record<string, string>) =>
      fetch(`${runtime.url}/slack/events`, { method: 'POST', headers, body });

    it('rejects a bad signature with 401 and changes nothing', async () => {
      const before = await tableSnapshot();
      const click = runtime.slack!.click({ requestId, user: 'U0ALICE', decision: 'approve' });
      const forged = { ...click.headers, ...slackSignatureHeaders('not-the-secret', click.body) };
      expect((await post(click.body, forged)).status).toBe(401);
      const tampered = click.body.replace('U0ALICE', 'U0BOB00');
      expect((await post(tampered, click.headers)).status).toBe(401);
      expect(await tableSnapshot()).toEqual(before);
    });

    it('rejects stale and future-dated signatures with 401', async () => {
      const before = await tableSnapshot();
      const now = Math.floor(Date.now() / 1000);
      for (const ts of [now - 301, now + 301]) {
        const click = runtime.slack!.click({ requestId, user: 'U0ALICE', decision: 'approve' }, ts);
        expect((await post(click.body, click.headers)).status).toBe(401);
      }
      expect(await tableSnapshot()).toEqual(before);
    });

    // A refused click changes no request; it is stored as an audit record of its own (issue 15).
    const withoutRefusals = async () =>
      (await tableSnapshot())?.filter((item) => !item.sk?.S?.startsWith('REFUSED#'));
    const refusalsBy = async (actor: string) =>
      (await tableSnapshot())?.filter(
        (item) => item.sk?.S?.startsWith('REFUSED#') && item.sk.S.includes(actor),
      );

    it('refuses a click by someone outside the approver group, privately, with no state change', async () => {
      const before = await withoutRefusals();
      const response = await runtime.click({ requestId, user: 'U0MALLORY', decision: 'approve' });
      expect(response.status).toBe(200);
      expect(await withoutRefusals()).toEqual(before);
      expect(await refusalsBy('slack:T0EXAMPLE/U0MALLORY')).toHaveLength(1);
      expect(runtime.slack!.ephemerals.at(-1)).toMatchObject({
        user: 'U0MALLORY',
        text: expect.stringContaining('Only members of db-owners'),
      });
    });

    it('refuses a member of another Slack team with no state change', async () => {
      const before = await withoutRefusals();
      await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve', team: 'T0OTHER' });
      expect(await withoutRefusals()).toEqual(before);
      expect(await refusalsBy('slack:T0OTHER/U0ALICE')).toHaveLength(1);
    });

    it('answers an unreadable but correctly signed body with 400, not 500', async () => {
      const { body, headers } = runtime.slack!.signed('payload=%7Bnot-json');
      const response = await post(body, headers);
      expect(response.status).toBe(400);
    });
  });
});
