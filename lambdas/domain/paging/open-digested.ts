import type { StepUpConfig } from '../config/config';
import { closeLateMessage, type AwaitApprovalDeps } from '../requests/await-approval';
import { firstMessage, pagedGroup, postOnce } from './post-once';

/**
 * "Open" on a digest entry: the request gets the approval message it would have had without the
 * limit (risk first, with Approve and Deny), posted once to its group's channel however often it is
 * clicked. Only a pending digested request is opened; anything else is a stale click and does nothing.
 * @returns true when the request has its own message now
 */
export async function openDigested(
  deps: Omit<AwaitApprovalDeps, 'workflow' | 'config'> & {
    readonly config: Pick<StepUpConfig, 'approverGroups'>;
  },
  requestId: string,
): Promise<boolean> {
  const request = await deps.store.get(requestId);
  if (!request?.digest || request.status !== 'PENDING') return false;
  const group = Object.hasOwn(deps.config.approverGroups, pagedGroup(request))
    ? deps.config.approverGroups[pagedGroup(request)]
    : undefined;
  if (!group) return false;
  const after = await postOnce(deps, requestId, firstMessage, group.channel);
  await closeLateMessage(deps, after);
  return after.slackMessage !== undefined;
}
