import type { ApprovalNotifier } from '../../ports/approval-notifier';
import type { Clock } from '../../ports/clock';
import type { RequestStore } from '../../ports/request-store';
import type { Workflow } from '../../ports/workflow';
import type { ApprovalRequest } from './approval-request';
import type { StepUpConfig } from '../config/config';
import { goesToDigest, listInDigest, type DigestDeps } from '../paging/digest-paging';
import { notifyOutcome } from '../paging/notify-outcome';
import { firstMessage, pagedGroup, postOnce } from '../paging/post-once';
import { updateRequest } from './update-request';

/** Ports the AwaitApproval step needs. */
export interface AwaitApprovalDeps {
  readonly store: RequestStore;
  readonly notifier: ApprovalNotifier;
  readonly config: StepUpConfig;
  readonly clock: Clock;
  /** Completes this step's own task when the request was decided before the step began. */
  readonly workflow: Pick<Workflow, 'sendTaskSuccess'>;
  /** Where pages are counted and digests kept (`limits.pagesPerGroupPerMinute`). @default no digest */
  readonly digest?: DigestDeps;
}

/**
 * Stores the wait's task token on a pending request. A request that was decided already (a click
 * while the workflow was between waits: a restart, a retried step) gets its decision handed to this
 * very task, so the workflow goes on at once instead of after the approval window.
 * @returns the request when it is still pending, undefined when the task was completed
 * @throws when the hand-over fails (the step is retried, and finds the decision again)
 */
export async function storeTaskToken(
  deps: Pick<AwaitApprovalDeps, 'store' | 'workflow'>,
  requestId: string,
  taskToken: string,
  transition: (current: ApprovalRequest) => ApprovalRequest | undefined = (current) =>
    current.taskToken === taskToken ? undefined : { ...current, taskToken },
): Promise<ApprovalRequest | undefined> {
  const { request } = await updateRequest(deps.store, requestId, (current) =>
    current.status === 'PENDING' ? transition(current) : undefined,
  );
  if (request.status === 'PENDING') return request;
  await deps.workflow.sendTaskSuccess(taskToken, { decision: request.status });
  return undefined;
}

/**
 * A message that landed after its request closed (cancelled or expired while Slack was slow to
 * answer) would keep live buttons: it is updated at once, and the outcome recorded.
 */
export async function closeLateMessage(
  deps: Pick<AwaitApprovalDeps, 'store' | 'notifier' | 'clock' | 'digest'>,
  request: ApprovalRequest,
): Promise<void> {
  if (request.status !== 'PENDING') await notifyOutcome(deps, request.id);
}

/**
 * First step of the workflow: remember the task token, THEN page the approvers. In that order a
 * click can never arrive before the backend can resume the workflow. The page is posted at most once
 * across retries and restarts ({@link postOnce}). Beyond `limits.pagesPerGroupPerMinute` pages of
 * the group in this minute, the request is listed in the group's digest message instead.
 */
export async function awaitApproval(
  deps: AwaitApprovalDeps,
  requestId: string,
  taskToken: string,
): Promise<void> {
  const request = await storeTaskToken(deps, requestId, taskToken);
  if (!request) return;
  const groupName = pagedGroup(request);
  const group = Object.hasOwn(deps.config.approverGroups, groupName)
    ? deps.config.approverGroups[groupName]
    : undefined;
  if (!group) throw new Error(`approver group "${groupName}" is not configured`);
  const limit = deps.config.limits.pagesPerGroupPerMinute;
  if (deps.digest && (await goesToDigest({ ...deps.digest, clock: deps.clock }, request, groupName, limit))) {
    await listInDigest(
      { ...deps.digest, store: deps.store, clock: deps.clock },
      request,
      groupName,
      group.channel,
    );
    return;
  }
  await closeLateMessage(deps, await postOnce(deps, requestId, firstMessage, group.channel));
}
