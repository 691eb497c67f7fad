import type { WebClient } from '@slack/web-api';
import type { ApprovalRequest, SlackMessageRef } from '../../domain/approval-request';
import type { ApprovalNotifier } from '../../ports/approval-notifier';
import { approvalMessage } from './approval-message';

/** {@link ApprovalNotifier} over the Slack Web API (`chat.postMessage`, `chat.update`, `chat.postEphemeral`). */
export class SlackNotifier implements ApprovalNotifier {
  constructor(private readonly client: WebClient) {}

  async postApprovalRequest(request: ApprovalRequest, channel: string): Promise<SlackMessageRef> {
    const response = await this.client.chat.postMessage({
      channel,
      ...approvalMessage(request),
      unfurl_links: false,
    });
    if (!response.ts || !response.channel) throw new Error('chat.postMessage returned no message reference');
    return { channel: response.channel, ts: response.ts };
  }

  async updateMessage(request: ApprovalRequest): Promise<void> {
    const content = approvalMessage(request);
    for (const ref of [request.slackMessage, request.escalation?.message]) {
      if (ref) await this.client.chat.update({ ...ref, ...content });
    }
  }

  async tellPrivately(channel: string, user: string, text: string): Promise<void> {
    await this.client.chat.postEphemeral({ channel, user, text });
  }
}
