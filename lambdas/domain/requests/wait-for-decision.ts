import type { Clock } from '../../ports/clock';
import type { RequestChanges } from '../../ports/request-changes';
import type { RequestStore } from '../../ports/request-store';
import { decisionDeadline, type ApprovalRequest } from './approval-request';
import { POLL_INTERVAL_SECONDS } from './create-request';

/** Ports a waiting poll needs. */
export interface WaitForDecisionDeps {
  readonly store: RequestStore;
  readonly changes: RequestChanges;
  readonly clock: Clock;
}

/**
 * Whether a poll would still answer `authorization_pending`: undecided, or approved by an older
 * deployment whose grant is not written yet.
 */
function undecided(request: ApprovalRequest): boolean {
  return request.status === 'PENDING' || (request.status === 'APPROVED' && !request.grant);
}

/**
 * The long-poll's wait: returns once the request has an answer other than `authorization_pending`
 * (decided, or past its decision deadline), or when `waitSeconds` have passed, whichever comes
 * first. A wait lasts at least the poll interval ({@link POLL_INTERVAL_SECONDS}) unless the request
 * is decided sooner, so waiting is never a faster way to poll than polling; that is why a waited
 * call is not paced by `slow_down` and leaves the pacing of plain polls alone. It writes nothing,
 * and any number of calls may wait for one request. A request that is unknown, or another agent's,
 * returns at once (the poll then answers as it always does).
 */
export async function waitForDecision(
  deps: WaitForDecisionDeps,
  agent: string,
  requestId: string,
  waitSeconds: number,
): Promise<void> {
  const until = deps.clock.now().getTime() + Math.max(waitSeconds, POLL_INTERVAL_SECONDS) * 1000;
  for (;;) {
    const request = await deps.store.get(requestId);
    if (!request || request.agent !== agent || !undecided(request)) return;
    const end = Math.min(until, decisionDeadline(request));
    if (deps.clock.now().getTime() >= end) return;
    await deps.changes.changedSince(requestId, request.version, new Date(end));
  }
}
