import type { ApprovalRequest, PostIntent, SlackMessageRef } from '../domain/requests/approval-request';

/** Pages approvers (Slack in practice) and keeps the message in step with the request. */
export interface ApprovalNotifier {
  /**
   * Posts the approval message to the group's channel, marked with the request id so that
   * {@link findApprovalMessage} can find it. Called once per attempt: never retried blindly, since a
   * post whose answer was lost may still have landed.
   */
  postApprovalRequest(request: ApprovalRequest, channel: string): Promise<SlackMessageRef>;
  /**
   * The request's approval message posted to `intent.channel` since `intent.at` that the request has
   * not recorded yet (an attempt that crashed or timed out after Slack took the post), if any.
   */
  findApprovalMessage(request: ApprovalRequest, intent: PostIntent): Promise<SlackMessageRef | undefined>;
  /** Rewrites the message to show the request's current state. */
  updateMessage(request: ApprovalRequest): Promise<void>;
  /** Tells one person, privately, why their click did nothing. */
  tellPrivately(channel: string, user: string, text: string): Promise<void>;
}
