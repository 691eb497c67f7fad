import type { App } from '@slack/bolt';
import { openDigested } from '../../domain/paging/open-digested';
import { requestLogger } from '../logger';
import { OPEN_DIGESTED_ACTION_PREFIX } from './digest-message';
import { readDigestOpenClick } from './interaction-payload';

const OPEN_ACTION = new RegExp(`^${OPEN_DIGESTED_ACTION_PREFIX}`);

/**
 * Registers the digest's "Open" buttons: a click posts the request's own approval message (once,
 * however often it is clicked), where the approvers decide it as any other. Opening decides
 * nothing, so anyone in the channel may open; who may approve is checked on the vote. A click on an
 * entry decided meanwhile is answered to the clicker alone.
 */
export function registerDigestListener(app: App, deps: Parameters<typeof openDigested>[0]): void {
  app.action({ type: 'block_actions', action_id: OPEN_ACTION }, async ({ ack, body }) => {
    await ack();
    const click = readDigestOpenClick(body);
    if (!click) return;
    const { requestId } = click;
    try {
      const opened = await openDigested(deps, click);
      requestLogger(requestId).info('digest entry opened', { user: click.user, opened });
    } catch (error) {
      requestLogger(requestId).error('digest entry not opened', { error: error as Error });
    }
  });
}
