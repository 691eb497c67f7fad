import type { RequestStore } from '../../ports/request-store';
import { VersionConflictError } from '../../ports/request-store';
import type { ApprovalRequest } from './approval-request';
import { withChain } from '../audit/audit-chain';
import { StepUpError } from '../errors';

const MAX_ATTEMPTS = 25;

/**
 * Decides the next request from the current one; `undefined` means "nothing to change", and a
 * {@link StepUpError} refuses. Not necessarily pure: it may be async and call ports (token delivery
 * signs with the signing key inside it, a vote asks Slack about the clicker). It runs again on
 * every lost race, so whatever it does besides returning the next request must be safe to repeat
 * and to throw away (a signature nobody receives, a lookup).
 */
export type DecideChange = (
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
 * Applies `decide` with optimistic concurrency: read, decide, one conditional write of what changed
 * (attributes absent from the next request are removed; appended audit events chained); on a concurrent change, re-read and decide
 * again. Races therefore resolve to exactly one outcome, and the loser sees the winner's state.
 * @throws StepUpError `not_found` when the request does not exist
 */
export async function updateRequest(
  store: RequestStore,
  id: string,
  decide: DecideChange,
): Promise<UpdateResult> {
  for (let attempt = 1; ; attempt++) {
    const current = await store.get(id);
    if (!current) throw new StepUpError('not_found', `no request ${id}`);
    const decided = await decide(current);
    if (!decided) return { request: current, changed: false };
    // The appended events are chained here, so they are stored with their digests in the one write.
    const saved = withChain(
      { ...withoutStaleTaskToken(decided), version: current.version + 1 },
      current.events.length,
    );
    try {
      await store.save(current, saved);
      return { request: saved, changed: true };
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}
