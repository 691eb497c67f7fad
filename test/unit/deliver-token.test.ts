import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import { LocalKeySigner } from '../../lambdas/adapters/local/local-key-signer';
import type { ApprovalRequest } from '../../lambdas/domain/approval-request';
import {
  CIBA_GRANT_TYPE,
  deliverToken,
  parseTokenRequest,
  type DeliverTokenDeps,
} from '../../lambdas/domain/deliver-token';
import { StepUpError } from '../../lambdas/domain/errors';
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
  it('returns the auth_req_id of a CIBA grant', () => {
    expect(parseTokenRequest({ grant_type: CIBA_GRANT_TYPE, auth_req_id: 'abc_DEF-123.x' })).toBe(
      'abc_DEF-123.x',
    );
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
      'scope',
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
    deps = { store, signer, clock: fixedClock(now), issuer: ISSUER };
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

  it('delivers exactly once: a second poll gets invalid_grant', async () => {
    const request = await stored(approvedRequest());
    await deliverToken(deps, request.agent, request.id);
    expectStepUpError(
      await rejectionOf(deliverToken(deps, request.agent, request.id)),
      'invalid_grant',
      400,
      'already delivered',
    );
  });

  it('delivers exactly once under 10 concurrent polls', async () => {
    const request = await stored(approvedRequest());
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => deliverToken(deps, request.agent, request.id)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expectStepUpError(result.reason, 'invalid_grant', 400);
    }
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
      expect({ code: (error as StepUpError).code, status: (error as StepUpError).status }).toEqual({
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
