import { createHash, randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { describe, expect, it } from 'vitest';
import {
  createStepUpVerifier,
  InMemoryDpopReplayCache,
  StepUpTokenError,
  type StepUpTokenErrorCode,
  type StepUpVerifierOptions,
} from '../../client/resource-server';
import type { LocalRuntime } from '../../local/runtime';
import { Api, pollUntilDecided, slackMessage, useTestRuntime } from './support';

/** What the resource server `orders-db` is about to do. */
const DROP_ORDERS = { action: 'db:DropTable', resource: 'prod/orders' } as const;
/** The request the agent sends to the resource server, with its DPoP proof. */
const RS_METHOD = 'POST';
const RS_URL = 'https://orders-db.example.com/v1/tables/orders/drop';

interface KeyPair {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

async function newKeyPair(): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/** A DPoP proof for the resource-server request, correct unless told otherwise. */
async function dpopProof(
  key: KeyPair,
  accessToken: string,
  overrides: { htm?: string; htu?: string; iat?: number; ath?: string; typ?: string; jwk?: JWK } = {},
): Promise<string> {
  return new SignJWT({
    htm: overrides.htm ?? RS_METHOD,
    htu: overrides.htu ?? RS_URL,
    iat: overrides.iat ?? Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    ath: overrides.ath ?? sha256(accessToken),
  })
    .setProtectedHeader({
      alg: 'ES256',
      typ: overrides.typ ?? 'dpop+jwt',
      jwk: overrides.jwk ?? key.publicJwk,
    })
    .sign(key.privateKey);
}

async function expectRefused(attempt: Promise<unknown>, code: StepUpTokenErrorCode, message?: RegExp) {
  const error = await attempt.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StepUpTokenError);
  expect((error as StepUpTokenError).code).toBe(code);
  if (message) expect((error as StepUpTokenError).message).toMatch(message);
}

describe('verifyAndConsume against the local runtime', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  /** Workload JWT of the resource server `orders-db`. */
  let ordersDb: string;
  /** A key pair the test controls, served through a custom JWKS for the crafted-token cases. */
  let ownKey: KeyPair;

  useTestRuntime(async (started) => {
    ({ runtime, api, agent } = started);
    ordersDb = await runtime.devToken('orders-db');
    ownKey = await newKeyPair();
  });

  function verifier(overrides: Partial<StepUpVerifierOptions> = {}) {
    return createStepUpVerifier({
      issuer: runtime.url,
      audience: 'orders-db',
      introspect: { bearer: async () => ordersDb },
      ...overrides,
    });
  }

  /** A verifier that trusts only {@link ownKey} (kid `own-key`), to test checks past the signature. */
  function ownKeyVerifier() {
    return verifier({
      jwks: createLocalJWKSet({ keys: [{ ...ownKey.publicJwk, kid: 'own-key', alg: 'ES256', use: 'sig' }] }),
    });
  }

  /** Creates a request as the agent, approves it in Slack, and collects the token. */
  async function approvedToken(overrides: Record<string, unknown> = {}) {
    const requestId = await api.createRequest(agent, overrides);
    await slackMessage(runtime, requestId);
    const click = await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' });
    expect(click.status).toBe(200);
    const delivered = await pollUntilDecided(api, agent, requestId);
    expect(delivered.status).toBe(200);
    return {
      requestId,
      token: delivered.body.access_token as string,
      tokenType: delivered.body.token_type as string,
    };
  }

  /** The right call to introspection still finds the token unused. */
  async function expectNotConsumed(token: string, resourceServer = ordersDb) {
    expect((await api.introspect(resourceServer, token)).body).toMatchObject({ active: true });
  }

  /** Claims as stepup issues them, for tokens signed with {@link ownKey}. */
  function craftedClaims(overrides: Record<string, unknown> = {}) {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: runtime.url,
      aud: 'orders-db',
      sub: 'deploy-bot',
      client_id: 'deploy-bot',
      iat: now,
      nbf: now,
      exp: now + 300,
      jti: randomUUID(),
      authorization_details: [
        {
          type: 'stepup_action',
          actions: ['db:DropTable'],
          identifier: 'prod/orders',
          locations: ['orders-db'],
        },
      ],
      approval: { request_id: 'crafted', approvers: ['U0ALICE'], policy: 'drop-prod-table' },
      ...overrides,
    };
  }

  function signOwn(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'own-key', ...header })
      .sign(ownKey.privateKey);
  }

  describe('accepts', () => {
    it('a plain token once, then refuses it as token_used', async () => {
      const { token, requestId, tokenType } = await approvedToken();
      expect(tokenType).toBe('Bearer');
      const rs = verifier();
      const claims = await rs.verifyAndConsume(token, DROP_ORDERS);
      expect(claims).toMatchObject({
        iss: runtime.url,
        aud: 'orders-db',
        sub: 'deploy-bot',
        client_id: 'deploy-bot',
        authorization_details: [
          {
            type: 'stepup_action',
            actions: ['db:DropTable'],
            identifier: 'prod/orders',
            locations: ['orders-db'],
          },
        ],
        approval: { request_id: requestId, approvers: ['U0ALICE'], policy: 'drop-prod-table' },
      });
      expect(claims.cnf).toBeUndefined();
      await expectRefused(rs.verifyAndConsume(token, DROP_ORDERS), 'token_used');
      // A fresh verifier (another instance of the resource server) is refused as well.
      await expectRefused(verifier().verifyAndConsume(token, DROP_ORDERS), 'token_used');
      expect(await api.introspect(ordersDb, token)).toEqual({ status: 200, body: { active: false } });
    });

    it('a token for a verified human: sub is the human, act.sub the agent', async () => {
      const idToken = (await api.postJson('/dev/id-token', { email: 'carol@example.com' })).body
        .id_token as string;
      const { token } = await approvedToken({ on_behalf_of: 'carol@example.com', subject_token: idToken });
      const claims = await verifier().verifyAndConsume(token, DROP_ORDERS);
      expect(claims).toMatchObject({
        sub: 'carol@example.com',
        act: { sub: 'deploy-bot' },
        client_id: 'deploy-bot',
      });
    });

    it('a DPoP-bound token with a correct proof (query string ignored), once', async () => {
      const key = await newKeyPair();
      const { token, tokenType } = await approvedToken({ dpop_jwk: key.publicJwk });
      expect(tokenType).toBe('DPoP');
      const rs = verifier();
      const claims = await rs.verifyAndConsume(token, {
        ...DROP_ORDERS,
        dpop: { proof: await dpopProof(key, token), method: 'POST', url: `${RS_URL}?confirm=yes#now` },
      });
      expect(claims.cnf).toEqual({ jkt: await calculateJwkThumbprint(key.publicJwk) });
      await expectRefused(
        rs.verifyAndConsume(token, {
          ...DROP_ORDERS,
          dpop: { proof: await dpopProof(key, token), method: RS_METHOD, url: RS_URL },
        }),
        'token_used',
      );
    });
  });

  describe('refuses, without consuming,', () => {
    it('an unsigned token (alg: none) crafted from a real payload', async () => {
      const { token } = await approvedToken();
      const [header, payload] = token.split('.');
      const { kid } = decodeProtectedHeader(token);
      const unsigned = `${b64json({ alg: 'none', typ: 'at+jwt', kid })}.${payload}.`;
      expect(header).not.toBe(unsigned.split('.')[0]);
      await expectRefused(verifier().verifyAndConsume(unsigned, DROP_ORDERS), 'invalid_token');
      await expectNotConsumed(token);
    });

    it.each(['JWK', 'PEM'] as const)(
      'an HS256 token keyed with the public key (%s bytes) as the HMAC secret',
      async (form) => {
        const { token } = await approvedToken();
        const jwks = (await api.get('/.well-known/jwks.json')).body as { keys: JWK[] };
        const { kid } = decodeProtectedHeader(token);
        const publicJwk = jwks.keys.find((key) => key.kid === kid)!;
        const secret =
          form === 'JWK'
            ? JSON.stringify(publicJwk)
            : await exportSPKI((await importJWK(publicJwk, 'ES256', { extractable: true })) as CryptoKey);
        const forged = await new SignJWT(decodeJwt(token))
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
          .sign(new TextEncoder().encode(secret));
        await expectRefused(verifier().verifyAndConsume(forged, DROP_ORDERS), 'invalid_token');
        await expectNotConsumed(token);
      },
    );

    it('a real token whose header was changed to typ: JWT (the signature no longer matches)', async () => {
      const { token } = await approvedToken();
      const [, payload, signature] = token.split('.');
      const header = { ...decodeProtectedHeader(token), typ: 'JWT' };
      const retyped = `${b64json(header)}.${payload}.${signature}`;
      await expectRefused(verifier().verifyAndConsume(retyped, DROP_ORDERS), 'invalid_token');
      await expectNotConsumed(token);
    });

    it('a correctly signed token with typ: JWT (the typ check itself)', async () => {
      const rs = ownKeyVerifier();
      await expectRefused(
        rs.verifyAndConsume(await signOwn(craftedClaims(), { typ: 'JWT' }), DROP_ORDERS),
        'invalid_token',
        /typ/,
      );
      await expectRefused(
        rs.verifyAndConsume(await signOwn(craftedClaims(), { typ: undefined }), DROP_ORDERS),
        'invalid_token',
        /typ/,
      );
      // Control: the same token with typ at+jwt passes every local check and reaches introspection,
      // where stepup (which never issued it) answers inactive.
      await expectRefused(rs.verifyAndConsume(await signOwn(craftedClaims()), DROP_ORDERS), 'token_used');
    });

    it('a token for another audience', async () => {
      const { token } = await approvedToken({ audience: 'payments-api' });
      await expectRefused(verifier().verifyAndConsume(token, DROP_ORDERS), 'invalid_token', /aud/);
      await expectNotConsumed(token, await runtime.devToken('payments-api'));
    });

    it('a token from another issuer', async () => {
      const { token } = await approvedToken();
      const rs = verifier({
        issuer: 'https://stepup.example.com',
        jwks: createRemoteJWKSet(new URL(`${runtime.url}/.well-known/jwks.json`)),
        introspect: { url: `${runtime.url}/v1/introspect`, bearer: async () => ordersDb },
      });
      await expectRefused(rs.verifyAndConsume(token, DROP_ORDERS), 'invalid_token', /iss/);
      await expectNotConsumed(token);
    });

    it('an expired token (requested_ttl_seconds: 1, no clock tolerance)', async () => {
      const { token } = await approvedToken({ requested_ttl_seconds: 1 });
      const { exp, iat } = decodeJwt(token);
      expect(exp! - iat!).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, (exp! + 1) * 1000 - Date.now() + 100));
      await expectRefused(
        verifier({ clockToleranceSeconds: 0 }).verifyAndConsume(token, DROP_ORDERS),
        'invalid_token',
        /exp/,
      );
      // stepup agrees: an expired token is inactive.
      expect((await api.introspect(ordersDb, token)).body).toEqual({ active: false });
    });

    it('a token expired beyond the clock tolerance (own key)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = await signOwn(craftedClaims({ iat: now - 400, nbf: now - 400, exp: now - 31 }));
      await expectRefused(ownKeyVerifier().verifyAndConsume(expired, DROP_ORDERS), 'invalid_token', /exp/);
      const notYet = await signOwn(craftedClaims({ nbf: now + 60 }));
      await expectRefused(ownKeyVerifier().verifyAndConsume(notYet, DROP_ORDERS), 'invalid_token', /nbf/);
    });

    it('a token with a tampered payload', async () => {
      const { token } = await approvedToken({ resource: 'prod/orders_archive' });
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
      const details = claims.authorization_details as { identifier: string }[];
      details[0]!.identifier = 'prod/orders';
      const tampered = `${header}.${b64json(claims)}.${signature}`;
      await expectRefused(verifier().verifyAndConsume(tampered, DROP_ORDERS), 'invalid_token', /signature/);
      await expectNotConsumed(token);
    });

    it('a token signed with a key (kid) the JWKS does not have', async () => {
      const forged = await signOwn(craftedClaims(), { kid: 'not-in-the-jwks' });
      await expectRefused(verifier().verifyAndConsume(forged, DROP_ORDERS), 'invalid_token');
      // Also under a kid the JWKS does have: the signature check fails.
      const jwks = (await api.get('/.well-known/jwks.json')).body as { keys: { kid: string }[] };
      const borrowed = await signOwn(craftedClaims(), { kid: jwks.keys[0]!.kid });
      await expectRefused(verifier().verifyAndConsume(borrowed, DROP_ORDERS), 'invalid_token', /signature/);
    });

    it('a token missing a required claim', async () => {
      const { approval: _approval, ...withoutApproval } = craftedClaims();
      await expectRefused(
        ownKeyVerifier().verifyAndConsume(await signOwn(withoutApproval), DROP_ORDERS),
        'invalid_token',
        /approval/,
      );
    });

    it('a token whose authorization details do not name this resource server', async () => {
      const claims = craftedClaims({
        authorization_details: [
          {
            type: 'stepup_action',
            actions: ['db:DropTable'],
            identifier: 'prod/orders',
            locations: ['payments-api'],
          },
        ],
      });
      await expectRefused(
        ownKeyVerifier().verifyAndConsume(await signOwn(claims), DROP_ORDERS),
        'invalid_token',
        /locations/,
      );
    });

    it('a valid token presented for a different action', async () => {
      const { token } = await approvedToken();
      await expectRefused(
        verifier().verifyAndConsume(token, { action: 'db:TruncateTable', resource: 'prod/orders' }),
        'wrong_action',
      );
      await expectNotConsumed(token);
    });

    it('a valid token presented for a different resource', async () => {
      const { token } = await approvedToken();
      await expectRefused(
        verifier().verifyAndConsume(token, { action: 'db:DropTable', resource: 'prod/customers' }),
        'wrong_resource',
      );
      await expectNotConsumed(token);
    });

    it('a DPoP-bound token presented without a proof', async () => {
      const key = await newKeyPair();
      const { token } = await approvedToken({ dpop_jwk: key.publicJwk });
      await expectRefused(verifier().verifyAndConsume(token, DROP_ORDERS), 'dpop_required');
      await expectNotConsumed(token);
    });

    it('a DPoP-bound token with a proof from another key', async () => {
      const key = await newKeyPair();
      const { token } = await approvedToken({ dpop_jwk: key.publicJwk });
      const proof = await dpopProof(await newKeyPair(), token);
      await expectRefused(
        verifier().verifyAndConsume(token, {
          ...DROP_ORDERS,
          dpop: { proof, method: RS_METHOD, url: RS_URL },
        }),
        'dpop_key_mismatch',
      );
      await expectNotConsumed(token);
    });

    it('a replayed DPoP proof (refused before introspection is asked)', async () => {
      const key = await newKeyPair();
      const { token } = await approvedToken({ dpop_jwk: key.publicJwk });
      const rs = verifier();
      const request = {
        ...DROP_ORDERS,
        dpop: { proof: await dpopProof(key, token), method: RS_METHOD, url: RS_URL },
      };
      await rs.verifyAndConsume(token, request);
      await expectRefused(rs.verifyAndConsume(token, request), 'dpop_replay');
    });

    it('a replayed DPoP proof whose first use failed only at introspection', async () => {
      // The proof was fine the first time (only introspection refused): it is still spent.
      const key = await newKeyPair();
      const { token } = await approvedToken({ dpop_jwk: key.publicJwk });
      const replayCache = new InMemoryDpopReplayCache();
      const wrongCaller = verifier({
        introspect: { bearer: () => runtime.devToken('payments-api') },
        dpop: { replayCache },
      });
      const request = {
        ...DROP_ORDERS,
        dpop: { proof: await dpopProof(key, token), method: RS_METHOD, url: RS_URL },
      };
      await expectRefused(wrongCaller.verifyAndConsume(token, request), 'token_used');
      await expectRefused(
        verifier({ dpop: { replayCache } }).verifyAndConsume(token, request),
        'dpop_replay',
      );
      await expectNotConsumed(token);
    });

    it.each([
      ['htm', { htm: 'GET' }, /htm/],
      ['htu', { htu: 'https://orders-db.example.com/v1/tables/customers/drop' }, /htu/],
      ['ath', { ath: sha256('some other access token') }, /ath/],
      ['iat (stale)', { iat: Math.floor(Date.now() / 1000) - 600 }, /iat/],
      ['typ', { typ: 'JWT' }, /typ/],
    ] as const)('a DPoP proof with a wrong %s', async (_name, overrides, message) => {
      const key = await newKeyPair();
      const { token } = await approvedToken({ dpop_jwk: key.publicJwk });
      const proof = await dpopProof(key, token, overrides);
      await expectRefused(
        verifier().verifyAndConsume(token, {
          ...DROP_ORDERS,
          dpop: { proof, method: RS_METHOD, url: RS_URL },
        }),
        'invalid_dpop_proof',
        message,
      );
      await expectNotConsumed(token);
    });

    it('a DPoP proof whose jwk header carries the private key', async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const key = { privateKey, publicJwk: await exportJWK(publicKey) };
      const { token } = await approvedToken({ dpop_jwk: key.publicJwk });
      const proof = await dpopProof(key, token, { jwk: await exportJWK(privateKey) });
      await expectRefused(
        verifier().verifyAndConsume(token, {
          ...DROP_ORDERS,
          dpop: { proof, method: RS_METHOD, url: RS_URL },
        }),
        'invalid_dpop_proof',
        /private/,
      );
      await expectNotConsumed(token);
    });

    it('a token when introspection cannot be reached, and reports introspection_failed', async () => {
      const { token } = await approvedToken();
      await expectRefused(
        verifier({
          introspect: { url: `${runtime.url}/v1/no-such-endpoint`, bearer: async () => ordersDb },
        }).verifyAndConsume(token, DROP_ORDERS),
        'introspection_failed',
      );
      await expectNotConsumed(token);
    });
  });

  it('refuses a clock tolerance above 30 s', () => {
    expect(() => verifier({ clockToleranceSeconds: 31 })).toThrow(TypeError);
  });
});
