import { MAX_CREDENTIAL_ID_LENGTH } from '../../lambdas/domain/passkey/passkey-link';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import { MAX_REASON_LENGTH } from '../../lambdas/adapters/slack/deny-dialog';
import type { ApprovalRequest, AuditEvent, Vote } from '../../lambdas/domain/requests/approval-request';
import { withChain } from '../../lambdas/domain/audit/audit-chain';
import { MAX_PARAMETERS_MISMATCH_EVENTS } from '../../lambdas/domain/tokens/introspect-token';
import { MAX_PARAMETERS_BYTES } from '../../lambdas/domain/requests/parameters';
import { MAX_COMBINED_DESCRIPTION_LENGTH } from '../../lambdas/domain/policy/policy-annotations';
import { MAX_REDELIVERIES } from '../../lambdas/domain/tokens/token-redelivery';
import { WORKLOAD_SUB_RULE } from '../../lambdas/domain/agents/workload-identity';
import { createRequestBody } from '../../lambdas/api/schemas/create-request';
import { jsonSchemaOf } from '../../lambdas/api/schemas/schema';
import type { LocalDynamoDb } from '../../local/local-dynamodb';
import { itemSize } from './support/item-size';
import { NOW, pendingRequest, useDynaliteStore } from './support/fixtures';

let db: LocalDynamoDb;
let store: DynamoDbRequestStore;
useDynaliteStore((s, d) => {
  store = s;
  db = d;
});

/** The largest a request item can grow to; DynamoDB's own limit is 400 KB. */
const MAX_REQUEST_ITEM_BYTES = 68 * 1024;

/** Text of `length` characters, each as large in UTF-8 as a character gets (4 bytes). */
const widest = (length: number) => '𝕏'.repeat(length);

const maxLength = (field: string) =>
  (jsonSchemaOf(createRequestBody.schema) as { properties: Record<string, { maxLength: number }> })
    .properties[field]!.maxLength;

// Bounds that come from outside the request body: `@quorum` is at most 10 (policy-annotations), a
// Slack id is short (we allow 32), a Step Functions task token is at most 2,048 characters, the
// deciding policies and approver groups come from the operator's policy set (we allow 20 of each,
// 128 characters long).
const MAX_QUORUM = 10;
const SLACK_ID = 'U'.repeat(32);
const TASK_TOKEN = 'T'.repeat(2048);
const DIGEST = 'd'.repeat(43);
/** Every vote confirmed with a passkey whose id is as long as accepted. */
const CREDENTIAL_ID = 'c'.repeat(MAX_CREDENTIAL_ID_LENGTH);
const POLICIES = Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(128, 'p'));

/**
 * The largest request the code can produce: every agent-supplied field at its limit in the widest
 * characters, the most votes a quorum allows (the last one a deny with the longest reason), every
 * audit event each step can add (chained), a delivery re-sent as often as allowed, and a task token still in
 * place (it is removed at decision time, so this is more than any item holds).
 */
function largestRequest(): ApprovalRequest {
  const at = NOW.toISOString();
  const agent = widest(WORKLOAD_SUB_RULE.max);
  const votes: Vote[] = Array.from({ length: MAX_QUORUM }, (_, i) => ({
    user: `${SLACK_ID}${i}`,
    team: SLACK_ID,
    decision: i === MAX_QUORUM - 1 ? 'deny' : 'approve',
    at,
    ...(i === MAX_QUORUM - 1 ? { reason: widest(MAX_REASON_LENGTH) } : {}),
    passkey: { credentialId: CREDENTIAL_ID, userVerified: true },
  }));
  const actor = `slack:${SLACK_ID}/${SLACK_ID}`;
  const jti = 'j'.repeat(36);
  // Every trace member at its longest (their patterns are ASCII): on the request and in `requested`.
  const trace = {
    traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
    session_id: 's'.repeat(128),
    tool_call_id: 't'.repeat(128),
    prompt_sha256: 'f'.repeat(64),
    model: 'm'.repeat(128),
  };
  const events: AuditEvent[] = [
    { type: 'requested', at, actor: `agent:${agent}`, detail: trace },
    { type: 'notified', at, actor: 'workflow', detail: { channel: SLACK_ID, ts: SLACK_ID } },
    { type: 'escalated', at, actor: 'workflow', detail: { group: 'g'.repeat(128) } },
    { type: 'notified', at, actor: 'workflow', detail: { channel: SLACK_ID, ts: SLACK_ID } },
    ...votes.map((v): AuditEvent => ({
      type: 'vote',
      at,
      actor,
      detail: { decision: v.decision, credential_id: CREDENTIAL_ID, user_verified: true },
    })),
    { type: 'approved', at, actor, detail: { approvers: votes.map((v) => v.user).join(',') } },
    { type: 'denied', at, actor, detail: { reason: widest(MAX_REASON_LENGTH) } },
    {
      type: 'failed',
      at,
      actor: 'workflow',
      detail: { error: 'e'.repeat(100), previous_status: 'APPROVED' },
    },
    { type: 'grant_issued', at, actor: 'stepup', detail: { jti } },
    { type: 'token_delivered', at, actor: `agent:${agent}`, detail: { jti, exp: 9_999_999_999 } },
    ...Array.from({ length: MAX_PARAMETERS_MISMATCH_EVENTS }, (): AuditEvent => ({
      type: 'parameters_mismatch',
      at,
      actor: `resource-server:${agent}`,
      detail: { jti, presented_parameters_sha256: DIGEST, approved_parameters_sha256: DIGEST },
    })),
    { type: 'revoked', at, actor: `operator:${agent}`, detail: { jti } },
    { type: 'outcome_notified', at, actor: 'workflow', detail: { status: 'APPROVED' } },
    {
      type: 'action_outcome',
      at,
      actor: `resource-server:${agent}`,
      detail: { result: 'succeeded', code: 'c'.repeat(64), consumption_sha256: DIGEST },
    },
  ];
  const slackMessage = { channel: SLACK_ID, ts: SLACK_ID };
  const request = pendingRequest({
    agent,
    action: widest(maxLength('action')),
    resource: widest(maxLength('resource')),
    audience: widest(maxLength('audience')),
    justification: widest(maxLength('justification')),
    // At the byte limit, in the widest characters (a canonical form is counted in UTF-8 bytes).
    parameters: { canonical: widest(MAX_PARAMETERS_BYTES / 4), sha256: DIGEST },
    onBehalfOf: widest(maxLength('on_behalf_of')),
    humanVerified: true,
    dpopJkt: 'k'.repeat(43),
    trace,
    requirements: {
      approverGroups: POLICIES.map((p) => [p]),
      quorum: MAX_QUORUM,
      approvalTimeoutSeconds: 86_400,
      maxTokenTtlSeconds: 3600,
      escalateTo: 'g'.repeat(128),
      policies: POLICIES,
      description: widest(MAX_COMBINED_DESCRIPTION_LENGTH),
    },
    status: 'APPROVED',
    votes,
    decidedAt: at,
    denialReason: widest(MAX_REASON_LENGTH),
    taskToken: TASK_TOKEN,
    slackMessage,
    escalation: { group: 'g'.repeat(128), at, message: slackMessage },
    grant: {
      jti,
      ttlSeconds: 3600,
      issuedAt: at,
      pickupBy: at,
      authorizationDetails: [
        {
          type: 'stepup_action',
          actions: [widest(maxLength('action'))],
          identifier: widest(maxLength('resource')),
          locations: [widest(maxLength('audience'))],
          parameters_sha256: DIGEST,
        },
      ],
    },
    delivery: {
      jti,
      at,
      exp: 9_999_999_999,
      redeliveredAt: Array.from({ length: MAX_REDELIVERIES }, () => at),
    },
    consumedAt: at,
    consumption: {
      type: 'token_consumed',
      at,
      actor: `resource-server:${agent}`,
      // The resource server's operation at its longest (ASCII patterns).
      detail: { jti, method: 'M'.repeat(16), path: `/${'p'.repeat(511)}`, operation: 'o'.repeat(128) },
    },
    revokedAt: at,
    events,
    version: 999,
  });
  // Every event chained (`prev`), and the request's `auditHead`.
  return withChain(request, 0);
}

describe('the size of a request item', () => {
  it(`is bounded: the largest request the code can produce stays under ${MAX_REQUEST_ITEM_BYTES / 1024} KiB`, async () => {
    const request = largestRequest();
    await store.create(request);
    expect(await store.get(request.id)).toEqual(request);
    const { Item } = await db.client.send(
      new GetItemCommand({
        TableName: db.tableName,
        Key: { pk: { S: `REQUEST#${request.id}` }, sk: { S: 'REQUEST' } },
      }),
    );
    const size = itemSize(Item!);
    expect(size).toBeLessThan(MAX_REQUEST_ITEM_BYTES);
  });
});
