import type { ApprovalRequest, PostIntent, SlackMessageRef } from '../../domain/requests/approval-request';
import type { Digest, DigestKey, DigestPostIntent } from '../../domain/paging/page-digest';
import type { ApprovalNotifier } from '../../ports/approval-notifier';
import type { DigestNotifier } from '../../ports/paging-digest';

/**
 * An {@link ApprovalNotifier} and {@link DigestNotifier} that asks for the current notifier on every
 * call (credentials can change).
 */
export class DeferredNotifier implements ApprovalNotifier, DigestNotifier {
  constructor(private readonly current: () => Promise<ApprovalNotifier & DigestNotifier>) {}

  async postDigest(digest: Digest, channel: string): Promise<SlackMessageRef> {
    return (await this.current()).postDigest(digest, channel);
  }

  async findDigestMessage(key: DigestKey, intent: DigestPostIntent): Promise<SlackMessageRef | undefined> {
    return (await this.current()).findDigestMessage(key, intent);
  }

  async updateDigest(digest: Digest): Promise<void> {
    return (await this.current()).updateDigest(digest);
  }

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
