import type { ApprovalRequest, PostIntent, SlackMessageRef } from '../../domain/approval-request';
import type { ApprovalNotifier } from '../../ports/approval-notifier';

/** An {@link ApprovalNotifier} that asks for the current notifier on every call (credentials can change). */
export class DeferredNotifier implements ApprovalNotifier {
  constructor(private readonly current: () => Promise<ApprovalNotifier>) {}

  async postApprovalRequest(request: ApprovalRequest, channel: string): Promise<SlackMessageRef> {
    return (await this.current()).postApprovalRequest(request, channel);
  }

  async findApprovalMessage(
    request: ApprovalRequest,
    intent: PostIntent,
  ): Promise<SlackMessageRef | undefined> {
    return (await this.current()).findApprovalMessage(request, intent);
  }

  async updateMessage(request: ApprovalRequest): Promise<void> {
    return (await this.current()).updateMessage(request);
  }

  async tellPrivately(channel: string, user: string, text: string): Promise<void> {
    return (await this.current()).tellPrivately(channel, user, text);
  }
}
