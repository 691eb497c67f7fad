import type { StepUpConfig } from '../config/config';
import { closeLateMessage, type AwaitApprovalDeps } from '../requests/await-approval';
import { firstMessage, pagedGroup, postOnce } from './post-once';

/** A click on a digest entry's "Open": who clicked where, on which request. */
export interface DigestOpenInput {
  readonly requestId: string;
  readonly user: string;
  /** The digest's channel. @default the clicker is not answered */
  readonly channel?: string;
}

/**
 * "Open" on a digest entry: the request gets the approval message it would have had without the
 * limit (risk first, with Approve and Deny), posted once to its group's channel however often it is
 * clicked. Only a pending digested request is opened. A click on an entry decided since (a digest
 * not yet redrawn) posts nothing: the clicker alone is told its outcome.
 * @returns true when the request has its own message now
 */
export async function openDigested(
  deps: Omit<AwaitApprovalDeps, 'workflow' | 'config'> & {
    readonly config: Pick<StepUpConfig, 'approverGroups'>;
  },
  click: DigestOpenInput,
): Promise<boolean> {
  const { requestId } = click;
  const request = await deps.store.get(requestId);
  if (!request?.digest) return false;
  if (request.status !== 'PENDING') {
    if (click.channel) {
      const outcome = request.status.toLowerCase();
      await deps.notifier.tellPrivately(
        click.channel,
        click.user,
        `That request is ${outcome}: nothing to open.`,
      );
    }
    return false;
  }
  const group = Object.hasOwn(deps.config.approverGroups, pagedGroup(request))
    ? deps.config.approverGroups[pagedGroup(request)]
    : undefined;
  if (!group) return false;
  const after = await postOnce(deps, requestId, firstMessage, group.channel);
  await closeLateMessage(deps, after);
  return after.slackMessage !== undefined;
}
