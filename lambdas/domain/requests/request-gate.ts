import type { PendingClaim, RequestIdentity, RequestLimits } from '../../ports/request-limits';
import { decisionDeadline, type ApprovalRequest } from './approval-request';
import { StepUpError } from '../errors';
import type { LimitsConfig } from '../config/limits-config';

/** What the gate needs: the counters, and the limits (config `limits`). */
export interface RequestGateDeps {
  readonly limits: RequestLimits;
  readonly limitsConfig: LimitsConfig;
}

/**
 * The gate's answer: the request joins an identical pending one, or it is admitted (counted against
 * the limits; `undo` takes the counts back if it is not stored after all).
 */
export type GateAnswer =
  | { readonly kind: 'joined'; readonly claim: PendingClaim }
  | { readonly kind: 'admitted'; readonly undo: () => Promise<void> };

/** How long an agent refused for too many pending requests should wait before asking again. */
export const PENDING_LIMIT_RETRY_SECONDS = 60;

/** The fields that make `request` the same request as another (and its approval good for both). */
export function identityOf(request: ApprovalRequest): RequestIdentity {
  return {
    agent: request.agent,
    action: request.action,
    resource: request.resource,
    audience: request.audience,
    ...(request.parameters ? { parametersSha256: request.parameters.sha256 } : {}),
  };
}

function secondsToNextHour(now: Date): number {
  const next = new Date(now);
  next.setUTCMinutes(60, 0, 0);
  return Math.max(1, Math.ceil((next.getTime() - now.getTime()) / 1000));
}

/**
 * Admits a new request before it is stored, each step one conditional write:
 * 1. with `deduplicate`, a pending request (step-up) claims its identity; if an identical request
 *    is pending, the new one joins it (nobody is paged again, nothing is counted);
 * 2. every new request counts against `requestsPerAgentPerHour` (clock hours, UTC);
 * 3. a pending request counts against `pendingPerAgent`.
 * A refused step takes back what the earlier steps took, so a refused request counts nowhere.
 * @param pending whether the request will be stored pending (step-up)
 * @param now the request's creation time (the hour it is counted in)
 * @throws StepUpError `too_many_requests` (with the seconds to wait) when a limit is reached
 */
export async function admitRequest(
  deps: RequestGateDeps,
  request: ApprovalRequest,
  pending: boolean,
  now: Date,
): Promise<GateAnswer> {
  const identity = identityOf(request);
  const undo: (() => Promise<void>)[] = [];
  const undoAll = async () => {
    for (const step of undo.reverse()) await step();
  };
  if (pending && deps.limitsConfig.deduplicate) {
    const claim = {
      requestId: request.id,
      bindingCode: request.bindingCode,
      deadline: Math.floor(decisionDeadline(request) / 1000),
    };
    const holder = await deps.limits.claimPending(identity, claim, Math.floor(now.getTime() / 1000));
    // Our own id: a retry (same Idempotency-Key) of a create that claimed and then died.
    if (holder && holder.requestId !== request.id) return { kind: 'joined', claim: holder };
    undo.push(() => deps.limits.releasePending(identity, request.id));
  }
  const { requestsPerAgentPerHour: perHour, pendingPerAgent } = deps.limitsConfig;
  if (perHour !== undefined) {
    if (!(await deps.limits.reserveHourly(request.agent, request.id, now, perHour))) {
      await undoAll();
      throw new StepUpError(
        'too_many_requests',
        `this agent has made ${perHour} requests this hour, the most it may; ask again in the next hour`,
        {},
        { retryAfterSeconds: secondsToNextHour(now) },
      );
    }
    undo.push(() => deps.limits.releaseHourly(request.agent, request.id, now));
  }
  if (pending && pendingPerAgent !== undefined) {
    if (!(await deps.limits.reserveOpen(request.agent, request.id, pendingPerAgent))) {
      await undoAll();
      throw new StepUpError(
        'too_many_requests',
        `this agent has ${pendingPerAgent} requests pending, the most it may; ask again once one is decided`,
        {},
        { retryAfterSeconds: PENDING_LIMIT_RETRY_SECONDS },
      );
    }
    undo.push(() => deps.limits.releaseOpen(request.agent, request.id));
  }
  return { kind: 'admitted', undo: undoAll };
}
