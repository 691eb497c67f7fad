import type { ApprovalNotifier } from '../../ports/approval-notifier';
import type { Clock } from '../../ports/clock';
import type { RequestStore } from '../../ports/request-store';
import { tellOwnersOutcome, type OwnerNoticeDeps } from '../agents/tell-owners';
import { StepUpError } from '../errors';
import type { DigestDeps } from './digest-paging';
import { showOutcome } from './show-outcome';
import { escalationMessage, firstMessage, recoverInterruptedPost } from './post-once';

/**
 * Last workflow step: the Slack message and the digest entry show the final outcome, and the audit
 * trail says so. A post
 * that was begun but never recorded (decided while Slack was slow to answer) is found first, so its
 * buttons are closed too.
 */
export async function notifyOutcome(
  deps: {
    readonly store: RequestStore;
    readonly notifier: ApprovalNotifier;
    readonly clock: Clock;
    /** Tells the agent's owners of a human denial or an expiry. @default nobody is told */
    readonly owners?: OwnerNoticeDeps;
    /** Where a digested request's entry is shown. @default digests are not updated */
    readonly digest?: DigestDeps;
  },
  requestId: string,
): Promise<void> {
  let request = await deps.store.get(requestId);
  if (!request) throw new StepUpError('not_found', `no request ${requestId}`);
  for (const slot of [firstMessage, escalationMessage])
    request = await recoverInterruptedPost(deps, request, slot);
  // Before the approvers' message: an expiry that was never paged is news to the owners too. Claimed
  // first, so a retried step or the reconciler re-driving it does not tell them twice.
  await tellOwnersOutcome(deps.owners, request);
  await showOutcome(deps, request, 'workflow');
}
