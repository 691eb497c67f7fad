import type { ApprovalNotifier } from '../../ports/approval-notifier';
import type { Clock } from '../../ports/clock';
import type { RequestStore } from '../../ports/request-store';
import type { Workflow } from '../../ports/workflow';
import type { ApprovalRequest } from './approval-request';
import { StepUpError } from '../errors';
import type { DigestDeps } from '../paging/digest-paging';
import { showOutcome } from '../paging/show-outcome';
import { updateRequest } from './update-request';
import { REQUEST_ID_PATTERN } from '../ids';

/** Ports cancelling needs. */
export interface CancelDeps {
  readonly store: RequestStore;
  readonly workflow: Pick<Workflow, 'stop'>;
  readonly notifier: Pick<ApprovalNotifier, 'updateMessage'>;
  readonly clock: Clock;
  /** Where a digested request's entry is shown. @default left to the reconciler */
  readonly digest?: DigestDeps;
}

/**
 * Moves a PENDING request to CANCELLED (one conditional write), stops its workflow and rewrites
 * the Slack message to say so. Cancelling an already cancelled request is a no-op.
 * @param actor who cancels, for the audit trail (`agent:<sub>`, `operator:<sub>`)
 * @returns the request after the change, or undefined when it was no longer pending
 */
export async function cancelPending(
  deps: CancelDeps,
  requestId: string,
  actor: string,
  reason: string,
): Promise<ApprovalRequest | undefined> {
  const { request, changed } = await updateRequest(deps.store, requestId, (current) =>
    cancelled(current, deps.clock.now().toISOString(), actor, reason),
  );
  if (!changed) return undefined;
  await afterCancel(deps, request);
  return request;
}

/** A PENDING request as CANCELLED at `at` by `actor`, audited; undefined for any other status. */
export function cancelled(
  current: ApprovalRequest,
  at: string,
  actor: string,
  reason: string,
): ApprovalRequest | undefined {
  if (current.status !== 'PENDING') return undefined;
  return {
    ...current,
    status: 'CANCELLED',
    decidedAt: at,
    events: [...current.events, { type: 'cancelled', at, actor, detail: { reason } }],
  };
}

/**
 * What follows a cancellation's write: its workflow stopped, its Slack message and digest entry
 * rewritten and that recorded (the stopped workflow's NotifyOutcome will not run to do it).
 */
export async function afterCancel(deps: CancelDeps, request: ApprovalRequest): Promise<void> {
  await deps.workflow.stop(request.id);
  await showOutcome(deps, request, 'stepup');
}

/**
 * `POST /v1/requests/{id}/cancel`: the requesting agent withdraws a pending request.
 * @throws StepUpError `not_found` for another agent's request; `conflict` when it was already decided
 */
export async function cancelRequest(
  deps: CancelDeps,
  agent: string,
  requestId: string,
): Promise<ApprovalRequest> {
  const current = REQUEST_ID_PATTERN.test(requestId) ? await deps.store.get(requestId) : undefined;
  if (!current || current.agent !== agent)
    throw new StepUpError('not_found', 'no such request for this agent');
  const cancelled = await cancelPending(deps, requestId, `agent:${agent}`, 'withdrawn by the agent');
  if (cancelled) return cancelled;
  const now = await deps.store.get(requestId);
  if (now?.status === 'CANCELLED') return now;
  throw new StepUpError('conflict', `the request is already ${now?.status.toLowerCase() ?? 'gone'}`);
}
