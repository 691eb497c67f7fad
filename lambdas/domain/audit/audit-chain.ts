import type { ApprovalRequest, AuditEvent } from '../requests/approval-request';
import { parametersDigest } from '../requests/parameters-digest';

/**
 * The tamper-evident audit chain of one request. Each event carries `prev`, the SHA-256 (RFC 8785
 * canonical JSON, base64url) of the event before it, the first one the digest of the request id
 * (so an event cannot be moved to another request); the request carries `auditHead`, the digest of
 * its last event (so the last one cannot be edited unnoticed either). Both are computed before the
 * conditional write that appends the events, so they are stored with them in that one write.
 *
 * The token's consumption (`token_consumed`) is outside the chain: introspection records it in one
 * UpdateItem without reading the request, so the event it follows is not known there. The resource
 * server's outcome report, when it comes, is chained and carries the consumption's digest, which
 * anchors it from then on.
 *
 * The chain shows edits of stored events made without recomputing it; whoever can rewrite the item
 * can also rewrite the chain, which only an outside copy of `auditHead` would reveal.
 */

/** An audit event as stored or as the API returns it: every member counts towards its digest. */
export interface ChainEvent {
  readonly type?: unknown;
  readonly prev?: unknown;
}

/** The `prev` of a request's first event. */
export function chainGenesis(requestId: string): string {
  return parametersDigest({ auth_req_id: requestId });
}

/** The digest the next event records as its `prev`: over the event's canonical JSON, `prev` included. */
export function eventDigest(event: ChainEvent): string {
  return parametersDigest(event);
}

/**
 * `next` with its events from index `appendedFrom` on chained (each given `prev`) and `auditHead`
 * set to the digest of its last event. Events before `appendedFrom` are already stored and stay as
 * they are (including events written before the chain existed, which have no `prev`).
 */
export function withChain(next: ApprovalRequest, appendedFrom: number): ApprovalRequest {
  if (next.events.length <= appendedFrom) return next;
  const events: AuditEvent[] = next.events.slice(0, appendedFrom);
  const last = events.at(-1);
  let prev = last === undefined ? chainGenesis(next.id) : eventDigest(last);
  for (const event of next.events.slice(appendedFrom)) {
    const chained: AuditEvent = { ...event, prev };
    events.push(chained);
    prev = eventDigest(chained);
  }
  return { ...next, events, auditHead: prev };
}

/** Why {@link verifyChain} stopped: the event named no longer matches what the chain recorded of it. */
export type ChainBreak =
  /** Its digest is not the `prev` of the event after it (or the `auditHead`, for the last one). */
  | 'digest_mismatch'
  /** The first event's `prev` is not this request's genesis value. */
  | 'genesis_mismatch'
  /** It has no `prev` although an event before it is chained. */
  | 'unchained_after_chained';

/** Result of {@link verifyChain}. */
export type ChainVerdict =
  | {
      readonly ok: true;
      /** Events the chain covers. */
      readonly chained: number;
      /** Leading events written before the chain existed (no `prev`): the chain says nothing of them. */
      readonly unchained: number;
    }
  | { readonly ok: false; readonly index: number; readonly event: ChainEvent; readonly reason: ChainBreak };

/**
 * Recomputes the chain of `events` (in stored order, the consumption left out) and names the first
 * event that does not match it. An edited event is named itself: the link after it breaks.
 * @param head the request's `auditHead`; undefined only for a request written before the chain existed
 */
export function verifyChain(
  requestId: string,
  events: readonly ChainEvent[],
  head: string | undefined,
): ChainVerdict {
  const firstChained = events.findIndex((event) => event.prev !== undefined);
  const unchained = firstChained === -1 ? events.length : firstChained;
  const broken = (index: number, reason: ChainBreak): ChainVerdict => ({
    ok: false,
    index,
    event: events[index] ?? {},
    reason,
  });
  let previous: ChainEvent | undefined = events[unchained - 1];
  for (let index = unchained; index < events.length; index++) {
    const event = events[index] ?? {};
    if (event.prev === undefined) return broken(index, 'unchained_after_chained');
    if (previous === undefined) {
      if (event.prev !== chainGenesis(requestId)) return broken(index, 'genesis_mismatch');
    } else if (event.prev !== eventDigest(previous)) return broken(index - 1, 'digest_mismatch');
    previous = event;
  }
  const chained = events.length - unchained;
  const last = events.at(-1);
  const headMatches = chained === 0 ? head === undefined : last !== undefined && head === eventDigest(last);
  if (!headMatches && last !== undefined) return broken(events.length - 1, 'digest_mismatch');
  return { ok: true, chained, unchained };
}

/** The token's consumption, as the audit trail shows it: outside the chain. */
function isConsumption(event: ChainEvent): boolean {
  return event.type === 'token_consumed' && event.prev === undefined;
}

/**
 * {@link verifyChain} over a request's whole audit trail as `GET /v1/requests/{id}` returns it
 * (`events`, `audit_head`): the consumption is left out, and a break is named by its index in `trail`.
 */
export function verifyAuditTrail(
  requestId: string,
  trail: readonly ChainEvent[],
  head: string | undefined,
): ChainVerdict {
  const chain = trail
    .map((event, position) => ({ event, position }))
    .filter(({ event }) => !isConsumption(event));
  const verdict = verifyChain(
    requestId,
    chain.map(({ event }) => event),
    head,
  );
  if (!verdict.ok) return { ...verdict, index: chain[verdict.index]?.position ?? verdict.index };
  const anchorBreak = brokenConsumptionAnchor(trail);
  return anchorBreak === undefined ? verdict : anchorBreak;
}

/**
 * A chained event that names the consumption's digest (`consumption_sha256`, written by the
 * resource server's outcome report, `record-outcome.ts`) brings the consumption under the chain:
 * a consumption that no longer matches it is named as broken.
 */
function brokenConsumptionAnchor(trail: readonly ChainEvent[]): ChainVerdict | undefined {
  const index = trail.findIndex(isConsumption);
  const consumption = trail[index];
  if (consumption === undefined) return undefined;
  const anchors = trail
    .map((event) => (event as { detail?: { consumption_sha256?: unknown } }).detail?.consumption_sha256)
    .filter((anchor) => anchor !== undefined);
  if (anchors.every((anchor) => anchor === eventDigest(consumption))) return undefined;
  return { ok: false, index, event: consumption, reason: 'digest_mismatch' };
}
