import { describe, expect, it } from 'vitest';
import type { ApprovalRequest, AuditEvent } from '../../lambdas/domain/requests/approval-request';
import {
  chainGenesis,
  eventDigest,
  verifyAuditTrail,
  verifyChain,
  withChain,
} from '../../lambdas/domain/audit/audit-chain';
import { updateRequest } from '../../lambdas/domain/requests/update-request';
import { NOW, pendingRequest, useDynaliteStore } from './support/fixtures';
import type { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';

const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();

/** A request with `count` chained events. */
function chainedRequest(count = 4): ApprovalRequest {
  const events: AuditEvent[] = Array.from({ length: count }, (_, i) => ({
    type: i === 0 ? 'requested' : 'vote',
    at: at(i),
    actor: `slack:T0/U${i}`,
    detail: { n: i, ok: true },
  }));
  return withChain(pendingRequest({ events }), 0);
}

function edited(events: readonly AuditEvent[], index: number, change: Partial<AuditEvent>): AuditEvent[] {
  return events.map((event, i) => (i === index ? { ...event, ...change } : event));
}

describe('withChain', () => {
  it('links every appended event to the one before, the first to the request id', () => {
    const request = chainedRequest();
    expect(request.events[0]?.prev).toBe(chainGenesis(request.id));
    for (let i = 1; i < request.events.length; i++) {
      expect(request.events[i]?.prev).toBe(eventDigest(request.events[i - 1]!));
    }
    expect(request.auditHead).toBe(eventDigest(request.events.at(-1)!));
  });

  it('leaves stored events alone and chains only what is appended', () => {
    const request = chainedRequest(2);
    const grown = withChain(
      { ...request, events: [...request.events, { type: 'expired', at: at(9), actor: 'workflow' }] },
      2,
    );
    expect(grown.events.slice(0, 2)).toEqual(request.events);
    expect(grown.events[2]?.prev).toBe(request.auditHead);
    expect(verifyChain(request.id, grown.events, grown.auditHead)).toEqual({
      ok: true,
      chained: 3,
      unchained: 0,
    });
  });
});

describe('verifyChain', () => {
  it('accepts an untouched chain', () => {
    const request = chainedRequest();
    expect(verifyChain(request.id, request.events, request.auditHead)).toEqual({
      ok: true,
      chained: 4,
      unchained: 0,
    });
  });

  it.each([0, 1, 2, 3])('names exactly the edited event (index %i)', (index) => {
    const request = chainedRequest();
    const events = edited(request.events, index, { actor: 'slack:T0/UMALLORY' });
    expect(verifyChain(request.id, events, request.auditHead)).toMatchObject({
      ok: false,
      index,
      reason: 'digest_mismatch',
      event: { actor: 'slack:T0/UMALLORY' },
    });
  });

  it('names a deleted detail member, a removed event and an event moved from another request', () => {
    const request = chainedRequest();
    const { detail: _gone, ...bare } = request.events[1]!;
    expect(verifyChain(request.id, request.events.with(1, bare), request.auditHead)).toMatchObject({
      ok: false,
      index: 1,
    });
    const removed = request.events.filter((_, i) => i !== 2);
    expect(verifyChain(request.id, removed, request.auditHead)).toMatchObject({ ok: false, index: 1 });
    const other = chainedRequest();
    expect(verifyChain(request.id, other.events, other.auditHead)).toMatchObject({
      ok: false,
      index: 0,
      reason: 'genesis_mismatch',
    });
  });

  it('reports events written before the chain existed as unchained, not broken', () => {
    const legacy = pendingRequest({
      events: [
        { type: 'requested', at: at(0), actor: 'agent:deploy-bot' },
        { type: 'notified', at: at(1), actor: 'workflow' },
      ],
    });
    expect(verifyChain(legacy.id, legacy.events, undefined)).toEqual({ ok: true, chained: 0, unchained: 2 });
    const grown = withChain(
      { ...legacy, events: [...legacy.events, { type: 'expired', at: at(2), actor: 'workflow' }] },
      2,
    );
    expect(verifyChain(legacy.id, grown.events, grown.auditHead)).toEqual({
      ok: true,
      chained: 1,
      unchained: 2,
    });
  });

  it('refuses an unchained event after a chained one, and a missing head', () => {
    const request = chainedRequest();
    const { prev: _gone, ...bare } = request.events[2]!;
    expect(verifyChain(request.id, request.events.with(2, bare), request.auditHead)).toMatchObject({
      ok: false,
      index: 2,
      reason: 'unchained_after_chained',
    });
    expect(verifyChain(request.id, request.events, undefined)).toMatchObject({ ok: false, index: 3 });
  });
});

describe('verifyAuditTrail', () => {
  it('leaves the consumption out and names a break by its place in the trail', () => {
    const request = chainedRequest();
    const consumption: AuditEvent = {
      type: 'token_consumed',
      at: at(1.5),
      actor: 'resource-server:orders-db',
    };
    const trail = [...request.events.slice(0, 2), consumption, ...request.events.slice(2)];
    expect(verifyAuditTrail(request.id, trail, request.auditHead)).toEqual({
      ok: true,
      chained: 4,
      unchained: 0,
    });
    const tampered = trail.with(3, { ...trail[3]!, at: at(60) });
    expect(verifyAuditTrail(request.id, tampered, request.auditHead)).toMatchObject({ ok: false, index: 3 });
  });
});

describe('updateRequest on DynamoDB', () => {
  let store: DynamoDbRequestStore;
  useDynaliteStore((s) => (store = s));

  it('stores the chain with the events it appends, in the same write', async () => {
    const request = chainedRequest(1);
    await store.create(request);
    await updateRequest(store, request.id, (current) => ({
      ...current,
      events: [...current.events, { type: 'notified', at: at(5), actor: 'workflow' }],
    }));
    const stored = await store.get(request.id);
    expect(stored?.events).toHaveLength(2);
    expect(verifyChain(request.id, stored!.events, stored!.auditHead)).toEqual({
      ok: true,
      chained: 2,
      unchained: 0,
    });
  });
});
