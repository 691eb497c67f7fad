import { InProcessRequestChanges } from '../../lambdas/adapters/local/in-process-request-changes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import { Es256TokenVerifier } from '../../lambdas/adapters/es256-token-verifier';
import { LocalKeySigner } from '../../lambdas/adapters/local/local-key-signer';
import { deliverToken } from '../../lambdas/domain/tokens/deliver-token';
import { parseIntrospectionRequest } from '../../lambdas/api/schemas/introspection-request';
import {
  introspectToken,
  MAX_PARAMETERS_MISMATCH_EVENTS,
} from '../../lambdas/domain/tokens/introspect-token';
import { parametersDigest } from '../../lambdas/domain/requests/parameters-digest';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../local/local-dynamodb';
import { expectStepUpError, fixedClock, pendingRequest, thrownBy } from './support/fixtures';

const ISSUER = 'https://stepup.test';
const AUDIENCE = 'db-admin-api';

describe('parseIntrospectionRequest', () => {
  it('returns the token, and the digest of the received arguments when given', () => {
    expect(parseIntrospectionRequest({ token: 'a.b.c' })).toStrictEqual({ token: 'a.b.c' });
    expect(parseIntrospectionRequest({ token: 'a.b.c', token_type_hint: 'access_token' })).toStrictEqual({
      token: 'a.b.c',
    });
    const digest = 'A'.repeat(43);
    expect(parseIntrospectionRequest({ token: 'a.b.c', parameters_sha256: digest })).toStrictEqual({
      token: 'a.b.c',
      parametersSha256: digest,
    });
    for (const bad of ['A'.repeat(42), 'A'.repeat(44), `${'A'.repeat(42)}=`, 5]) {
      expectStepUpError(
        thrownBy(() => parseIntrospectionRequest({ token: 'a.b.c', parameters_sha256: bad })),
        'invalid_request',
        400,
        'parameters_sha256',
      );
    }
  });

  it('rejects a missing, empty or non-string token', () => {
    for (const raw of [{}, { token: '' }, { token: 42 }, { token_type_hint: 'access_token' }]) {
      expectStepUpError(
        thrownBy(() => parseIntrospectionRequest(raw)),
        'invalid_request',
        400,
        'token',
      );
    }
  });

  it('rejects a token longer than 8192 characters', () => {
    expect(parseIntrospectionRequest({ token: 'x'.repeat(8192) }).token).toHaveLength(8192);
    expectStepUpError(
      thrownBy(() => parseIntrospectionRequest({ token: 'x'.repeat(8193) })),
      'invalid_request',
      400,
      'at most 8192',
    );
  });

  it('rejects unknown fields and non-object bodies', () => {
    expectStepUpError(
      thrownBy(() => parseIntrospectionRequest({ token: 'a.b.c', client_secret: 's' })),
      'invalid_request',
      400,
      '1 unknown field',
    );
    for (const raw of [null, 'token=a.b.c', ['a.b.c']]) {
      expectStepUpError(
        thrownBy(() => parseIntrospectionRequest(raw)),
        'invalid_request',
        400,
      );
    }
  });
});

describe('introspectToken (real store on dynalite, LocalKeySigner, Es256TokenVerifier)', () => {
  let db: LocalDynamoDb;
  let store: DynamoDbRequestStore;
  let signer: LocalKeySigner;
  let verifier: Es256TokenVerifier;
  // jose checks iat/nbf/exp against the real time, so this clock is frozen at "now".
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const clock = fixedClock(now);

  beforeAll(async () => {
    db = await startLocalDynamoDb();
    store = new DynamoDbRequestStore(db.client, db.tableName);
    signer = await LocalKeySigner.open();
    verifier = new Es256TokenVerifier(signer, ISSUER);
  });

  afterAll(async () => {
    await db.close();
  });

  /** An approved request whose token has just been delivered; returns the token and request id. */
  async function deliveredToken(parametersSha256?: string): Promise<{ token: string; id: string }> {
    const request = pendingRequest({
      audience: AUDIENCE,
      status: 'APPROVED',
      decidedAt: now.toISOString(),
      grant: {
        jti: `jti-${Math.random().toString(36).slice(2)}`,
        ttlSeconds: 60,
        issuedAt: now.toISOString(),
        pickupBy: new Date(now.getTime() + 600_000).toISOString(),
        authorizationDetails: [
          {
            type: 'stepup_action',
            actions: ['db:DropTable'],
            identifier: 'orders',
            locations: [AUDIENCE],
            ...(parametersSha256 ? { parameters_sha256: parametersSha256 } : {}),
          },
        ],
      },
    });
    await store.create(request);
    const { access_token } = await deliverToken(
      // No wait is asked for: nothing ever waits on the changes.
      { store, signer, clock, issuer: ISSUER, changes: new InProcessRequestChanges() },
      request.agent,
      request.id,
    );
    return { token: access_token, id: request.id };
  }

  it('answers the first call with the claims and consumes the token; later calls get exactly {active:false}', async () => {
    const { token, id } = await deliveredToken();
    const first = await introspectToken({ store, verifier, clock }, AUDIENCE, token);
    expect(first).toMatchObject({ active: true, token_type: 'Bearer', aud: AUDIENCE, iss: ISSUER });
    expect(first).toHaveProperty('approval.request_id', id);

    const consumed = await store.get(id);
    expect(consumed?.consumedAt).toBe(now.toISOString());
    expect(consumed?.consumption).toMatchObject({
      type: 'token_consumed',
      actor: `resource-server:${AUDIENCE}`,
    });

    expect(await introspectToken({ store, verifier, clock }, AUDIENCE, token)).toStrictEqual({
      active: false,
    });
  });

  it('refuses other arguments without consuming, records parameters_mismatch (at most 3), then consumes with the approved ones', async () => {
    const approved = parametersDigest({ sql: 'DROP TABLE orders' });
    const other = parametersDigest({ sql: 'DROP TABLE customers' });
    const { token, id } = await deliveredToken(approved);
    for (let i = 0; i < 5; i++) {
      expect(await introspectToken({ store, verifier, clock }, AUDIENCE, token, other)).toStrictEqual({
        active: false,
      });
    }
    const refused = await store.get(id);
    expect(refused?.consumedAt).toBeUndefined();
    const mismatches = refused?.events.filter((e) => e.type === 'parameters_mismatch') ?? [];
    expect(mismatches).toHaveLength(MAX_PARAMETERS_MISMATCH_EVENTS);
    expect(mismatches[0]).toMatchObject({
      actor: `resource-server:${AUDIENCE}`,
      detail: { presented_parameters_sha256: other, approved_parameters_sha256: approved },
    });
    const answer = await introspectToken({ store, verifier, clock }, AUDIENCE, token, approved);
    expect(answer).toMatchObject({ active: true, authorization_details: [{ parameters_sha256: approved }] });
  });

  it('refuses a digest for a token that binds no arguments, and consumes without one', async () => {
    const { token, id } = await deliveredToken();
    const digest = parametersDigest({});
    expect(await introspectToken({ store, verifier, clock }, AUDIENCE, token, digest)).toStrictEqual({
      active: false,
    });
    expect((await store.get(id))?.events.at(-1)).toMatchObject({
      type: 'parameters_mismatch',
      detail: { approved_parameters_sha256: 'none' },
    });
    expect((await introspectToken({ store, verifier, clock }, AUDIENCE, token)).active).toBe(true);
  });

  it('is active for exactly one of 20 concurrent callers', async () => {
    const { token } = await deliveredToken();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => introspectToken({ store, verifier, clock }, AUDIENCE, token)),
    );
    expect(answers.filter((a) => a.active)).toHaveLength(1);
  });

  it('is inactive for another audience, without consuming the token', async () => {
    const { token } = await deliveredToken();
    expect(await introspectToken({ store, verifier, clock }, 'payments-api', token)).toStrictEqual({
      active: false,
    });
    expect((await introspectToken({ store, verifier, clock }, AUDIENCE, token)).active).toBe(true);
  });

  it('is inactive once the token has expired by the clock', async () => {
    const { token } = await deliveredToken();
    const later = fixedClock(new Date(now.getTime() + 60_000));
    expect(await introspectToken({ store, verifier, clock: later }, AUDIENCE, token)).toStrictEqual({
      active: false,
    });
  });

  it('is inactive for garbage, a tampered token and a token from another key', async () => {
    const { token } = await deliveredToken();
    const [header, payload, signature] = token.split('.');
    const forged = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    forged.aud = 'payments-api';
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    const otherSigner = await LocalKeySigner.open();
    const foreign = await otherSigner.sign({ iss: ISSUER, aud: AUDIENCE, sub: 'x', jti: 'y', exp: 9e9 });
    for (const candidate of ['not-a-jwt', tampered, foreign]) {
      expect(await introspectToken({ store, verifier, clock }, AUDIENCE, candidate)).toStrictEqual({
        active: false,
      });
    }
    expect((await introspectToken({ store, verifier, clock }, AUDIENCE, token)).active).toBe(true);
  });
});
