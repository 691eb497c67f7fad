import type { WebClient } from '@slack/web-api';
import type { OwnerNotice, OwnerNotifier } from '../../ports/owner-notifier';
import { logger } from '../logger';
import { ownerMessage } from './owner-message';

/**
 * {@link OwnerNotifier} over `chat.postMessage` with `channel` = the owner's user id, which posts
 * into the bot's direct message with them. Each owner is told on their own; a failure is logged.
 */
export class SlackOwnerNotifier implements OwnerNotifier {
  constructor(private readonly client: () => Promise<WebClient>) {}

  async tellOwners(owners: readonly string[], notice: OwnerNotice): Promise<void> {
    const message = ownerMessage(notice);
    await Promise.all(
      owners.map(async (owner) => {
        try {
          await (await this.client()).chat.postMessage({ channel: owner, ...message, unfurl_links: false });
        } catch (error) {
          logger.error('owner notice failed', {
            error: error as Error,
            owner,
            kind: notice.kind,
            requestId: notice.request?.id,
          });
        }
      }),
    );
  }
}
