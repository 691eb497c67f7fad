import type { RequestStore } from '../ports/request-store';
import { VersionConflictError } from '../ports/request-store';
import type { ApprovalRequest } from './approval-request';
import { StepUpError } from './errors';

const MAX_ATTEMPTS = 25;

/**
 * A pure step from the current request to the next one; `undefined` means "nothing to change".
 * It may throw a {@link StepUpError} to refuse.
 */
export type Transition = (
  current: ApprovalRequest,
) => ApprovalRequest | undefined | Promise<ApprovalRequest | undefined>;

/**
 * A task token belongs to a request only while it waits for a decision: the write that decides it
 * (or closes it any other way) drops the token, so a decided item never holds one.
 */
function withoutStaleTaskToken(request: ApprovalRequest): ApprovalRequest {
  if (request.status === 'PENDING' || request.taskToken === undefined) return request;
  const { taskToken: _dropped, ...rest } = request;
  return rest;
}

/** Result of {@link updateRequest}. */
export interface UpdateResult {
  readonly request: ApprovalRequest;
  readonly changed: boolean;
}

/**
 * Applies `transition` with optimistic concurrency: read, compute, one conditional write; on a
 * concurrent change, re-read and re-decide. Races therefore resolve to exactly one outcome, and the
 * loser's transition sees the winner's state.
 * @throws StepUpError `not_found` when the request does not exist
 */
export async function updateRequest(
  store: RequestStore,
  id: string,
  transition: Transition,
): Promise<UpdateResult> {
  for (let attempt = 1; ; attempt++) {
    const current = await store.get(id);
    if (!current) throw new StepUpError('not_found', `no request ${id}`);
    const decided = await transition(current);
    if (!decided) return { request: current, changed: false };
    const next = { ...withoutStaleTaskToken(decided), version: current.version + 1 };
    try {
      await store.save(next);
      return { request: next, changed: true };
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}
