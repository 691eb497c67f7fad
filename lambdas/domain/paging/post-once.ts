import type { ApprovalNotifier } from '../../ports/approval-notifier';
import type { Clock } from '../../ports/clock';
import type { RequestStore } from '../../ports/request-store';
import type { ApprovalRequest, PostIntent, SlackMessageRef } from '../requests/approval-request';
import { updateRequest } from '../requests/update-request';

/** One of a request's approval messages: where its reference and its post intent are kept. */
export interface MessageSlot {
  message(request: ApprovalRequest): SlackMessageRef | undefined;
  intent(request: ApprovalRequest): PostIntent | undefined;
  /** `request` with `intent` recorded, and what the audit trail says about it. */
  withIntent(request: ApprovalRequest, intent: PostIntent): ApprovalRequest;
  /** `request` with its message recorded (`undefined`: forget the intent, nothing was posted). */
  withMessage(request: ApprovalRequest, message: SlackMessageRef | undefined): ApprovalRequest;
}

/** The group the first approval message goes to: the first group of the strictest policy, whose members can satisfy it. */
export function pagedGroup(request: ApprovalRequest): string {
  return request.requirements.approverGroups[0]?.[0] ?? '';
}

/** The first approval message, to {@link pagedGroup}. */
export const firstMessage: MessageSlot = {
  message: (request) => request.slackMessage,
  intent: (request) => request.paging,
  withIntent: (request, intent) => ({
    ...request,
    paging: intent,
    // Recorded when the page is sent, so the trail keeps causal order even if Slack answers late.
    events: [
      ...request.events,
      {
        type: 'notified',
        at: intent.at,
        actor: 'workflow',
        detail: { group: pagedGroup(request), channel: intent.channel },
      },
    ],
  }),
  withMessage: ({ paging: _done, ...request }, message) =>
    message ? { ...request, slackMessage: message } : request,
};

/** The escalation group's message (the `escalated` event was written with the escalation). */
export const escalationMessage: MessageSlot = {
  message: (request) => request.escalation?.message,
  intent: (request) => request.escalation?.paging,
  withIntent: (request, intent) =>
    request.escalation ? { ...request, escalation: { ...request.escalation, paging: intent } } : request,
  withMessage: (request, message) => {
    if (!request.escalation) return request;
    const { paging: _done, ...escalation } = request.escalation;
    return { ...request, escalation: message ? { ...escalation, message } : escalation };
  },
};

/** Ports {@link postOnce} needs. */
export interface PostOnceDeps {
  readonly store: RequestStore;
  readonly notifier: ApprovalNotifier;
  readonly clock: Clock;
}

/**
 * Posts one approval message at most once, across retries, crashes and a slow Slack:
 * 1. records the intent (one conditional write) before posting, only while the request is pending;
 * 2. an intent found already recorded means an earlier attempt may have posted: that post is looked
 *    up (the message carries the request id) and adopted instead of posting again;
 * 3. records the message and clears the intent.
 * A request that closed before anything was posted gets no post; one whose earlier post never
 * landed forgets the intent. The caller updates a message that landed after the request closed.
 * @param channel where a new post goes (an intent already recorded keeps its own channel)
 * @returns the request as stored afterwards
 */
export async function postOnce(
  deps: PostOnceDeps,
  requestId: string,
  slot: MessageSlot,
  channel: string,
): Promise<ApprovalRequest> {
  let earlier: PostIntent | undefined;
  const { request } = await updateRequest(deps.store, requestId, (current) => {
    earlier = slot.intent(current);
    if (slot.message(current) || earlier || current.status !== 'PENDING') return undefined;
    return slot.withIntent(current, { channel, at: deps.clock.now().toISOString() });
  });
  return settlePost(deps, request, slot, earlier !== undefined);
}

/**
 * Completes a begun post: adopts the earlier post when one may have landed, else posts (only while
 * the request is pending), then records the message and clears the intent. A closed request whose
 * post never landed forgets the intent.
 */
async function settlePost(
  deps: PostOnceDeps,
  request: ApprovalRequest,
  slot: MessageSlot,
  mayHavePosted: boolean,
): Promise<ApprovalRequest> {
  const intent = slot.intent(request);
  if (slot.message(request) || !intent) return request;
  let message = mayHavePosted ? await deps.notifier.findApprovalMessage(request, intent) : undefined;
  if (!message && request.status === 'PENDING') {
    message = await deps.notifier.postApprovalRequest(request, intent.channel);
  }
  const recorded = await updateRequest(deps.store, request.id, (current) =>
    slot.message(current) || !slot.intent(current) ? undefined : slot.withMessage(current, message),
  );
  return recorded.request;
}

/**
 * For a closed request: a post that was begun and never recorded (the step crashed or timed out
 * while Slack took it) is looked up and recorded, so its buttons can be closed; if it never landed,
 * the intent is forgotten.
 */
export async function recoverInterruptedPost(
  deps: PostOnceDeps,
  request: ApprovalRequest,
  slot: MessageSlot,
): Promise<ApprovalRequest> {
  return request.status === 'PENDING' ? request : settlePost(deps, request, slot, true);
}
