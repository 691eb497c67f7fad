import type { WebClient } from '@slack/web-api';
import { OWNER_NOTICE_DIMENSION, noMetrics, type OperationalMetrics } from '../../ports/operational-metrics';
import type { OwnerNotice, OwnerNotifier } from '../../ports/owner-notifier';
import { logger } from '../logger';
import { ownerMessage } from './owner-message';

/**
 * {@link OwnerNotifier} over `chat.postMessage` with `channel` = the owner's user id, which posts
 * into the bot's direct message with them. Each owner is told on their own; each DM is counted
 * (`OwnerNoticeSent`), and a failure is logged and counted (`OwnerNoticeFailed`, alarmed: the
 * notice was claimed, so nothing sends it again).
 */
export class SlackOwnerNotifier implements OwnerNotifier {
  constructor(
    private readonly client: () => Promise<WebClient>,
    private readonly metrics: OperationalMetrics = noMetrics,
  ) {}

  async tellOwners(owners: readonly string[], notice: OwnerNotice): Promise<void> {
    const message = ownerMessage(notice);
    const dimensions = { [OWNER_NOTICE_DIMENSION]: notice.kind };
    await Promise.all(
      owners.map(async (owner) => {
        try {
          await (await this.client()).chat.postMessage({ channel: owner, ...message, unfurl_links: false });
          this.metrics.count('OwnerNoticeSent', dimensions);
        } catch (error) {
          // Without the kind: the alarm watches one series.
          this.metrics.count('OwnerNoticeFailed');
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
