import { PollingRequestChanges } from '../../lambdas/adapters/aws/polling-request-changes';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import { LocalKeySigner } from '../../lambdas/adapters/local/local-key-signer';
import type { ApprovalRequest } from '../../lambdas/domain/requests/approval-request';
import { httpStatusOf } from '../../lambdas/api/error-response';
import { parseTokenRequest } from '../../lambdas/api/schemas/token-request';
import { CIBA_GRANT_TYPE, TOKEN_WAIT_MAX_SECONDS } from '../../lambdas/contract';
import { deliverToken, type DeliverTokenDeps } from '../../lambdas/domain/tokens/deliver-token';
import { StepUpError } from '../../lambdas/domain/errors';
import { MAX_REDELIVERIES, REDELIVERY_WINDOW_SECONDS } from '../../lambdas/domain/tokens/token-redelivery';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../local/local-dynamodb';
import {
  ALICE,
  BOB,
  TEAM,
  expectStepUpError,
  fixedClock,
  pendingRequest,
  rejectionOf,
  thrownBy,
} from './support/fixtures';

const ISSUER = 'https://stepup.test';

describe('parseTokenRequest', () => {
  it('returns the auth_req_id of a CIBA grant, waiting for nothing unless asked', () => {
    expect(parseTokenRequest({ grant_type: CIBA_GRANT_TYPE, auth_req_id: 'abc_DEF-123.x' })).toEqual({
      requestId: 'abc_DEF-123.x',
      waitSeconds: 0,
    });
  });

  it('takes wait (long-poll) as a JSON integer or form digits, 0 to the cap, and refuses anything else', () => {
    const parse = (wait: unknown) =>
      parseTokenRequest({ grant_type: CIBA_GRANT_TYPE, auth_req_id: 'abc', wait });
    expect(parse(TOKEN_WAIT_MAX_SECONDS).waitSeconds).toBe(TOKEN_WAIT_MAX_SECONDS);
    expect(parse('20').waitSeconds).toBe(20);
    expect(parse(0).waitSeconds).toBe(0);
    for (const wait of [TOKEN_WAIT_MAX_SECONDS + 1, 60, '26', -1, 1.5, '1.5', '', ' 5', null, true]) {
      expectStepUpError(
        thrownBy(() => parse(wait)),
        'invalid_request',
        400,
        `from 0 to ${TOKEN_WAIT_MAX_SECONDS}`,
      );
    }
  });

  it('rejects another or a missing grant_type with unsupported_grant_type', () => {
    for (const grant_type of ['client_credentials', 'authorization_code', '', undefined, 42]) {
      expectStepUpError(
        thrownBy(() => parseTokenRequest({ grant_type, auth_req_id: 'abc' })),
        'unsupported_grant_type',
        400,
        CIBA_GRANT_TYPE,
      );
    }
  });

  it('rejects a missing, empty or malformed auth_req_id with invalid_request', () => {
    expectStepUpError(
      thrownBy(() => parseTokenRequest({ grant_type: CIBA_GRANT_TYPE })),
      'invalid_request',
      400,
      'auth_req_id',
    );
    for (const auth_req_id of ['', 'a b', 'a/b', 'x'.repeat(65), 7]) {
      expectStepUpError(
        thrownBy(() => parseTokenRequest({ grant_type: CIBA_GRANT_TYPE, auth_req_id })),
        'invalid_request',
        400,
        'auth_req_id',
      );
    }
  });

  it('rejects unknown fields and non-object bodies with invalid_request', () => {
    expectStepUpError(
      thrownBy(() => parseTokenRequest({ grant_type: CIBA_GRANT_TYPE, auth_req_id: 'abc', scope: 'all' })),
      'invalid_request',
      400,
      '1 unknown field',
    );
    for (const raw of [null, 'grant_type=x', [], 1]) {
      expectStepUpError(
        thrownBy(() => parseTokenRequest(raw)),
        'invalid_request',
        400,
      );
    }
  });
});

describe('deliverToken (real DynamoDbRequestStore on dynalite, LocalKeySigner)', () => {
  let db: LocalDynamoDb;
  let store: DynamoDbRequestStore;
  let signer: LocalKeySigner;
  // jose checks iat/nbf/exp against the real time, so this clock is frozen at "now", not in 2030.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  let deps: DeliverTokenDeps;

  beforeAll(async () => {
    db = await startLocalDynamoDb();
    store = new DynamoDbRequestStore(db.client, db.tableName);
    signer = await LocalKeySigner.open();
    deps = {
      store,
      signer,
      clock: fixedClock(now),
      issuer: ISSUER,
      changes: new PollingRequestChanges(db.client, db.tableName),
    };
  });

  afterAll(async () => {
    await db.close();
  });

  function approvedRequest(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
    return pendingRequest({
      createdAt: now.toISOString(),
      status: 'APPROVED',
      decidedAt: now.toISOString(),
      requestedTtlSeconds: 120,
      votes: [
        { user: ALICE, team: TEAM, decision: 'approve', at: now.toISOString() },
        { user: BOB, team: TEAM, decision: 'approve', at: now.toISOString() },
      ],
      grant: {
        jti: 'jti-1234567890',
        ttlSeconds: 120,
        issuedAt: now.toISOString(),
        pickupBy: new Date(now.getTime() + 600_000).toISOString(),
        authorizationDetails: [
          {
            type: 'stepup_action',
            actions: ['db:DropTable'],
            identifier: 'table/orders',
            locations: ['db-admin-api'],
          },
        ],
      },
      ...overrides,
    });
  }

  async function stored(request: ApprovalRequest): Promise<ApprovalRequest> {
    await store.create(request);
    return request;
  }

  it('signs a token for exactly the approved action and records its delivery', async () => {
    const request = await stored(approvedRequest());
    const response = await deliverToken(deps, request.agent, request.id);

    expect(response.token_type).toBe('Bearer');
    expect(response.expires_in).toBe(120);
    expect(response.authorization_details).toEqual(request.grant?.authorizationDetails);
    const { payload, protectedHeader } = await jwtVerify(
      response.access_token,
      createLocalJWKSet((await signer.jwks()) as JSONWebKeySet),
      { algorithms: ['ES256'], typ: 'at+jwt', issuer: ISSUER, audience: request.audience },
    );
    expect(protectedHeader.kid).toBe((await signer.jwks()).keys[0]?.kid);
    const iat = Math.floor(now.getTime() / 1000);
    expect(payload).toEqual({
      iss: ISSUER,
      aud: request.audience,
      sub: request.agent,
      client_id: request.agent,
      iat,
      nbf: iat,
      exp: iat + 120,
      jti: 'jti-1234567890',
      authorization_details: request.grant?.authorizationDetails,
      approval: {
        request_id: request.id,
        approvers: [ALICE, BOB],
        policy: 'drop-prod-table',
        decided_at: now.toISOString(),
        assurance: 'slack',
      },
    });

    const after = await store.get(request.id);
    expect(after?.delivery).toEqual({ jti: 'jti-1234567890', at: now.toISOString(), exp: iat + 120 });
    expect(after?.version).toBe(request.version + 1);
    expect(after?.events.at(-1)).toMatchObject({ type: 'token_delivered', actor: `agent:${request.agent}` });
    expect(JSON.stringify(after)).not.toContain(response.access_token);
  });

  it('names every determining policy in the approval.policy claim, joined by ", "', async () => {
    const request = await stored(
      approvedRequest({
        requirements: {
          ...pendingRequest().requirements,
          approverGroups: [['db-owners'], ['platform-oncall']],
          policies: ['restore-during-incident', 'restore-prod-snapshot'],
        },
      }),
    );
    const { access_token } = await deliverToken(deps, request.agent, request.id);
    const { payload } = await jwtVerify(
      access_token,
      createLocalJWKSet((await signer.jwks()) as JSONWebKeySet),
      { issuer: ISSUER, audience: request.audience },
    );
    expect((payload.approval as { policy: string }).policy).toBe(
      'restore-during-incident, restore-prod-snapshot',
    );
  });

  it('delivers an auto-approved request: no approvers, the permitting policy named', async () => {
    const request = await stored(
      approvedRequest({
        policyOutcome: 'auto_approve',
        votes: [],
        requirements: {
          approverGroups: [],
          quorum: 0,
          approvalTimeoutSeconds: 0,
          maxTokenTtlSeconds: 900,
          policies: ['read-logs'],
        },
      }),
    );
    const { access_token } = await deliverToken(deps, request.agent, request.id);
    const { payload } = await jwtVerify(
      access_token,
      createLocalJWKSet((await signer.jwks()) as JSONWebKeySet),
      { issuer: ISSUER, audience: request.audience },
    );
    expect(payload.approval).toEqual({
      request_id: request.id,
      approvers: [],
      policy: 'read-logs',
      decided_at: now.toISOString(),
      assurance: 'slack',
    });
  });

  it('answers expired_token for a request still PENDING at or past its deadline (workflow late)', async () => {
    for (const offset of [0, -1000]) {
      const request = await stored(
        approvedRequest({
          status: 'PENDING',
          grant: undefined,
          decidedAt: undefined,
          votes: [],
          expiresAt: new Date(now.getTime() + offset).toISOString(),
        }),
      );
      expectStepUpError(
        await rejectionOf(deliverToken(deps, request.agent, request.id)),
        'expired_token',
        400,
        'expired',
      );
      expect(await store.get(request.id)).toEqual(request);
    }
    const notYet = await stored(
      approvedRequest({
        status: 'PENDING',
        grant: undefined,
        decidedAt: undefined,
        votes: [],
        expiresAt: new Date(now.getTime() + 1000).toISOString(),
      }),
    );
    expectStepUpError(
      await rejectionOf(deliverToken(deps, notYet.agent, notYet.id)),
      'authorization_pending',
      400,
    );
  });

  /** Deps whose clock reads `seconds` after the frozen "now". */
  const later = (seconds: number): DeliverTokenDeps => ({
    ...deps,
    clock: fixedClock(new Date(now.getTime() + seconds * 1000)),
  });

  it('re-delivers a lost answer: the same claims and jti, re-signed, recorded without a second token_delivered', async () => {
    const request = await stored(approvedRequest());
    const first = await deliverToken(deps, request.agent, request.id);
    const delivered = await store.get(request.id);
    const again = await deliverToken(later(30), request.agent, request.id);

    expect(decodeJwt(again.access_token)).toEqual(decodeJwt(first.access_token));
    expect(decodeProtectedHeader(again.access_token)).toEqual(decodeProtectedHeader(first.access_token));
    // Signed at delivery, never stored: ES256 signatures are randomized, so the copy is a new string.
    expect(again.access_token).not.toBe(first.access_token);
    expect(again).toMatchObject({ token_type: 'Bearer', expires_in: 90 });
    expect(again.authorization_details).toEqual(first.authorization_details);

    const after = await store.get(request.id);
    expect(after?.version).toBe(delivered!.version + 1);
    expect(after?.delivery).toEqual({
      ...delivered!.delivery,
      redeliveredAt: [new Date(now.getTime() + 30_000).toISOString()],
    });
    expect(after?.events).toEqual(delivered!.events);
    expect(JSON.stringify(after)).not.toContain(again.access_token.split('.')[2]);
  });

  it(`re-delivers for ${REDELIVERY_WINDOW_SECONDS} s only; then invalid_grant, and nothing changes`, async () => {
    const request = await stored(approvedRequest());
    await deliverToken(deps, request.agent, request.id);
    await deliverToken(later(REDELIVERY_WINDOW_SECONDS - 1), request.agent, request.id);
    const delivered = await store.get(request.id);
    expectStepUpError(
      await rejectionOf(deliverToken(later(REDELIVERY_WINDOW_SECONDS), request.agent, request.id)),
      'invalid_grant',
      400,
      'already delivered',
    );
    expect(await store.get(request.id)).toEqual(delivered);
  });

  it('never re-delivers past the token expiry, after the resource server used it, or after revocation', async () => {
    const shortLived = await stored(
      approvedRequest({ grant: { ...approvedRequest().grant!, ttlSeconds: 10 } }),
    );
    await deliverToken(deps, shortLived.agent, shortLived.id);
    expectStepUpError(
      await rejectionOf(deliverToken(later(10), shortLived.agent, shortLived.id)),
      'invalid_grant',
      400,
      'expired',
    );

    const used = await stored(approvedRequest());
    await deliverToken(deps, used.agent, used.id);
    const event = { type: 'token_consumed' as const, at: now.toISOString(), actor: 'resource-server:rs' };
    expect(await store.consumeToken(used.id, 'jti-1234567890', Math.floor(now.getTime() / 1000), event)).toBe(
      true,
    );
    expectStepUpError(
      await rejectionOf(deliverToken(later(1), used.agent, used.id)),
      'invalid_grant',
      400,
      'used',
    );

    const revoked = await stored(approvedRequest());
    await deliverToken(deps, revoked.agent, revoked.id);
    const delivered = (await store.get(revoked.id))!;
    await store.save(delivered, {
      ...delivered,
      revokedAt: now.toISOString(),
      version: delivered.version + 1,
    });
    expectStepUpError(
      await rejectionOf(deliverToken(later(1), revoked.agent, revoked.id)),
      'access_denied',
      403,
      'revoked',
    );
  });

  it(`hands out at most ${MAX_REDELIVERIES} copies after the first delivery`, async () => {
    const request = await stored(approvedRequest());
    await deliverToken(deps, request.agent, request.id);
    for (let copy = 1; copy <= MAX_REDELIVERIES; copy++)
      await deliverToken(later(copy), request.agent, request.id);
    expectStepUpError(
      await rejectionOf(deliverToken(later(MAX_REDELIVERIES + 1), request.agent, request.id)),
      'invalid_grant',
      400,
      'already delivered',
    );
  });

  it('delivers one grant under 10 concurrent polls: one token_delivered, every copy the same jti', async () => {
    const request = await stored(approvedRequest());
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => deliverToken(deps, request.agent, request.id)),
    );
    const tokens = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.access_token] : []));
    expect(tokens).toHaveLength(1 + MAX_REDELIVERIES);
    expect(new Set(tokens.map((token) => decodeJwt(token).jti))).toEqual(new Set(['jti-1234567890']));
    for (const result of results) {
      if (result.status === 'rejected') expectStepUpError(result.reason, 'invalid_grant', 400);
    }
    const after = await store.get(request.id);
    expect(after?.events.filter((e) => e.type === 'token_delivered')).toHaveLength(1);
    expect(after?.delivery?.redeliveredAt).toHaveLength(MAX_REDELIVERIES);
  });

  it('tells another agent the id is unknown, and changes nothing', async () => {
    const request = await stored(approvedRequest());
    expectStepUpError(
      await rejectionOf(deliverToken(deps, 'other-bot', request.id)),
      'invalid_grant',
      400,
      'unknown auth_req_id',
    );
    expect(await store.get(request.id)).toEqual(request);
  });

  it('answers an unknown id with invalid_grant', async () => {
    expectStepUpError(
      await rejectionOf(deliverToken(deps, 'deploy-bot', 'no-such-id')),
      'invalid_grant',
      400,
    );
  });

  it('maps each undecided or refused state to its CIBA error', async () => {
    const cases: [Partial<ApprovalRequest>, string, number][] = [
      [{ status: 'PENDING', grant: undefined, decidedAt: undefined }, 'authorization_pending', 400],
      [{ grant: undefined }, 'authorization_pending', 400],
      [{ status: 'DENIED', grant: undefined, denialReason: 'not during the freeze' }, 'access_denied', 403],
      [{ status: 'EXPIRED', grant: undefined }, 'expired_token', 400],
      [{ status: 'CANCELLED', grant: undefined }, 'access_denied', 403],
      [{ status: 'FAILED', grant: undefined }, 'transaction_failed', 400],
    ];
    for (const [overrides, code, status] of cases) {
      const request = await stored(approvedRequest(overrides));
      const error = await rejectionOf(deliverToken(deps, request.agent, request.id));
      expect(error).toBeInstanceOf(StepUpError);
      expect({
        code: (error as StepUpError).code,
        status: httpStatusOf((error as StepUpError).code),
      }).toEqual({
        code,
        status,
      });
      expect((await store.get(request.id))?.version).toBe(request.version);
    }
  });

  it('includes the denial reason in access_denied', async () => {
    const request = await stored(
      approvedRequest({ status: 'DENIED', grant: undefined, denialReason: 'freeze' }),
    );
    expectStepUpError(
      await rejectionOf(deliverToken(deps, request.agent, request.id)),
      'access_denied',
      403,
      'freeze',
    );
  });

  it('refuses a grant collected after its pickup deadline', async () => {
    const { grant } = approvedRequest();
    if (!grant) throw new Error('the fixture has a grant');
    const request = await stored(
      approvedRequest({
        grant: { ...grant, pickupBy: new Date(now.getTime() - 1000).toISOString() },
      }),
    );
    expectStepUpError(await rejectionOf(deliverToken(deps, request.agent, request.id)), 'expired_token', 400);
    expect((await store.get(request.id))?.delivery).toBeUndefined();
  });

  it('never writes the signed token into the request', async () => {
    const request = await stored(approvedRequest());
    const { access_token } = await deliverToken(deps, request.agent, request.id);
    const [, , signature] = access_token.split('.');
    const item = JSON.stringify(await store.get(request.id));
    expect(item).not.toContain(signature);
    expect(decodeProtectedHeader(access_token).typ).toBe('at+jwt');
  });
});
