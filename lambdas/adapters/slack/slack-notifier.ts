import type { WebClient } from '@slack/web-api';
import type { ApprovalRequest, PostIntent, SlackMessageRef } from '../../domain/requests/approval-request';
import type { Digest, DigestKey, DigestPostIntent } from '../../domain/paging/page-digest';
import type { ApprovalNotifier } from '../../ports/approval-notifier';
import type { DigestNotifier } from '../../ports/paging-digest';
import { approvalMessage } from './approval-message';
import { digestMessage } from './digest-message';
import { slackWebClient, type SlackClientSettings } from './web-client';

/** `metadata.event_type` of every approval message; its `event_payload` carries the request id. */
export const APPROVAL_EVENT_TYPE = 'stepup_approval_request';

/** `metadata.event_type` of every digest message; its `event_payload` carries the digest's key. */
export const DIGEST_EVENT_TYPE = 'stepup_approval_digest';

const digestId = (key: DigestKey) => `${key.group} ${key.minute}#${key.page}`;

/**
 * How far before the recorded intent the history is searched: the intent's time is ours, the
 * message's `ts` is Slack's, and the two clocks may disagree a little.
 */
const CLOCK_SKEW_SECONDS = 60;

/** Slack's answers when the bot may not read a channel's history: configuration, not a fault. */
const UNREADABLE_HISTORY = new Set(['not_in_channel', 'missing_scope', 'channel_not_found']);

/**
 * {@link ApprovalNotifier} and {@link DigestNotifier} over the Slack Web API (`chat.postMessage`,
 * `chat.update`, `chat.postEphemeral`, `conversations.history`). Approval messages carry the request
 * id in their message metadata (digests their key), which is how a post whose answer was lost is
 * found again.
 */
export class SlackNotifier implements ApprovalNotifier, DigestNotifier {
  /**
   * @param poster the client for `chat.postMessage`, which must not retry by itself (a retry after a
   *   lost answer posts twice) @default client
   */
  constructor(
    private readonly client: WebClient,
    private readonly poster: WebClient = client,
  ) {}

  async postApprovalRequest(request: ApprovalRequest, channel: string): Promise<SlackMessageRef> {
    const response = await this.poster.chat.postMessage({
      channel,
      ...approvalMessage(request),
      metadata: { event_type: APPROVAL_EVENT_TYPE, event_payload: { request_id: request.id } },
      unfurl_links: false,
    });
    if (!response.ts || !response.channel) throw new Error('chat.postMessage returned no message reference');
    return { channel: response.channel, ts: response.ts };
  }

  async findApprovalMessage(
    request: ApprovalRequest,
    intent: PostIntent,
  ): Promise<SlackMessageRef | undefined> {
    const known = new Set([request.slackMessage?.ts, request.escalation?.message?.ts]);
    return this.findPosted(intent, APPROVAL_EVENT_TYPE, 'request_id', request.id, known);
  }

  async postDigest(digest: Digest, channel: string): Promise<SlackMessageRef> {
    const response = await this.poster.chat.postMessage({
      channel,
      ...digestMessage(digest),
      metadata: { event_type: DIGEST_EVENT_TYPE, event_payload: { digest: digestId(digest.key) } },
      unfurl_links: false,
    });
    if (!response.ts || !response.channel) throw new Error('chat.postMessage returned no message reference');
    return { channel: response.channel, ts: response.ts };
  }

  async findDigestMessage(key: DigestKey, intent: DigestPostIntent): Promise<SlackMessageRef | undefined> {
    return this.findPosted(intent, DIGEST_EVENT_TYPE, 'digest', digestId(key), new Set());
  }

  async updateDigest(digest: Digest): Promise<void> {
    if (digest.message) await this.client.chat.update({ ...digest.message, ...digestMessage(digest) });
  }

  /** The message posted to `intent.channel` since `intent.at` whose metadata names `id`, unless known. */
  private async findPosted(
    intent: PostIntent,
    eventType: string,
    field: string,
    id: string,
    known: ReadonlySet<string | undefined>,
  ): Promise<SlackMessageRef | undefined> {
    const oldest = Math.floor(Date.parse(intent.at) / 1000) - CLOCK_SKEW_SECONDS;
    const response = await this.client.conversations
      .history({ channel: intent.channel, oldest: String(oldest), include_all_metadata: true, limit: 200 })
      .catch((error: unknown) => {
        // The history cannot be read here (the bot is not in the channel, or the app lacks the
        // scope): posting again risks a second message, which beats expiring the request unpaged.
        if (UNREADABLE_HISTORY.has((error as { data?: { error?: string } }).data?.error ?? ''))
          return undefined;
        throw error;
      });
    if (!response) return undefined;
    const found = response.messages?.find(
      (message) =>
        message.metadata?.event_type === eventType &&
        // The SDK types the payload as `{}`; ours is `{request_id}` or `{digest}`.
        (message.metadata.event_payload as Record<string, unknown> | undefined)?.[field] === id &&
        !known.has(message.ts),
    );
    return found?.ts ? { channel: intent.channel, ts: found.ts } : undefined;
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

/** A {@link SlackNotifier} for `botToken`: background calls retry, approval posts do not. */
export function slackNotifier(botToken: string, settings: SlackClientSettings = {}): SlackNotifier {
  return new SlackNotifier(
    slackWebClient(botToken, settings),
    slackWebClient(botToken, { ...settings, profile: 'posting' }),
  );
}
