import type { Clock } from '../../ports/clock';
import type { RequestStore } from '../../ports/request-store';
import type { ApprovalOutcome } from '../../ports/workflow';
import { updateRequest } from './update-request';

/**
 * The approval window closed. A still-pending request expires; one decided in the meantime (a click
 * that raced the timeout) keeps its decision, and the workflow continues with that.
 */
export async function expireRequest(
  deps: { readonly store: RequestStore; readonly clock: Clock },
  requestId: string,
): Promise<ApprovalOutcome> {
  const { request } = await updateRequest(deps.store, requestId, (current) => {
    if (current.status !== 'PENDING') return undefined;
    const at = deps.clock.now().toISOString();
    return {
      ...current,
      status: 'EXPIRED',
      decidedAt: at,
      events: [...current.events, { type: 'expired', at, actor: 'workflow' }],
    };
  });
  if (request.status === 'PENDING') throw new Error(`request ${requestId} is still pending after expiry`);
  return { decision: request.status };
}
