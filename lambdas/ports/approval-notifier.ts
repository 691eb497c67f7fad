import type { ApprovalRequest, SlackMessageRef } from '../domain/approval-request';

/** Pages approvers (Slack in practice) and keeps the message in step with the request. */
export interface ApprovalNotifier {
  /** Posts the approval message to the group's channel. */
  postApprovalRequest(request: ApprovalRequest, channel: string): Promise<SlackMessageRef>;
  /** Rewrites the message to show the request's current state. */
  updateMessage(request: ApprovalRequest): Promise<void>;
  /** Tells one person, privately, why their click did nothing. */
  tellPrivately(channel: string, user: string, text: string): Promise<void>;
}
