import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { showParameters, type ShowParametersDeps } from '../../domain/votes/show-parameters';
import { requestLogger } from '../logger';
import { readShowParametersClick } from './interaction-payload';
import { SHOW_PARAMETERS_ACTION_ID, fullParametersMessage } from './parameters-message';

/**
 * Registers the approval message's "Show full parameters" button: an approver of the request gets
 * the parameters in full, privately (an ephemeral message only the clicker sees); anyone else is told
 * privately why not. Reading changes nothing.
 */
export function registerParametersListener(app: App, client: WebClient, deps: ShowParametersDeps): void {
  app.action({ type: 'block_actions', action_id: SHOW_PARAMETERS_ACTION_ID }, async ({ ack, body }) => {
    await ack();
    const click = readShowParametersClick(body);
    if (!click?.channel) return;
    const { channel, user, requestId } = click;
    try {
      const view = await showParameters(deps, click);
      const answer =
        view.kind === 'shown'
          ? fullParametersMessage(view.request)
          : { text: view.message, blocks: undefined };
      await client.chat.postEphemeral({ channel, user, ...answer });
      requestLogger(requestId).info('full parameters asked for', { user, outcome: view.kind });
    } catch (error) {
      requestLogger(requestId).error('full parameters not shown', { error: error as Error, user });
    }
  });
}
