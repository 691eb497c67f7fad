import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AgentsConfig } from '../../domain/agents/agent-admission';
import { StepUpError } from '../../domain/errors';
import { revokeAgentAsOwner, type KillSwitchDeps } from '../../domain/tokens/revoke';
import { logger } from '../logger';
import { KILL_SWITCH_ACTION_ID } from './owner-message';
import { readKillSwitchClick } from './interaction-payload';
import { SlackNotifier } from './slack-notifier';

/** What the owner's kill switch button needs. */
export interface KillSwitchListenerDeps extends Omit<KillSwitchDeps, 'notifier'> {
  /** The agent registry: who owns which agent. */
  readonly agents: AgentsConfig;
  /**
   * How long one click takes new work before the reconciler carries the run on.
   * @default OWNER_KILL_SWITCH_BUDGET_MS
   */
  readonly budgetMs?: number;
}

/**
 * 1.5 s: in Lambda, Bolt's `AwsLambdaReceiver` answers Slack only when the listener returns, and Slack
 * wants its answer within 3 s. After the budget the cancels in flight still finish, then the run is
 * recorded and (if complete) the owners told: `npm run bench:owner-click` measured that tail at up
 * to ~0.9 s on a loaded machine. What is left of the agent the reconciler carries on, as it does
 * for `POST /v1/revoke`.
 */
export const OWNER_KILL_SWITCH_BUDGET_MS = 1500;

/**
 * Registers the owner's "Pull the kill switch" button (in the DM that told them about their
 * agent). It acks first (Slack wants an answer within 3 s), then pulls the kill switch as
 * `owner:<user>` if the registry names the clicker among the agent's owners; anyone else is told
 * privately and nothing changes.
 */
export function registerKillSwitchListener(app: App, client: WebClient, deps: KillSwitchListenerDeps): void {
  const killSwitch = { ...deps, notifier: new SlackNotifier(client) };
  app.action({ type: 'block_actions', action_id: KILL_SWITCH_ACTION_ID }, async ({ ack, body }) => {
    await ack();
    const click = readKillSwitchClick(body);
    if (!click) return;
    const deadline = new Date(deps.clock.now().getTime() + (deps.budgetMs ?? OWNER_KILL_SWITCH_BUDGET_MS));
    try {
      const result = await revokeAgentAsOwner(killSwitch, click.user, click.agent, deadline);
      logger.warn(
        result.complete ? 'agent revoked by its owner' : 'agent partly revoked: the reconciler carries on',
        { owner: click.user, agent: click.agent, audit: true, ...result },
      );
    } catch (error) {
      if (!(error instanceof StepUpError) || error.code !== 'forbidden') {
        logger.error('owner kill switch failed', { error: error as Error, owner: click.user });
        return;
      }
      logger.warn('owner kill switch refused', { owner: click.user, agent: click.agent, audit: true });
      if (click.channel) {
        await client.chat
          .postEphemeral({
            channel: click.channel,
            user: click.user,
            text: 'Only an owner of this agent may pull its kill switch: nothing was changed.',
          })
          .catch((failure: unknown) =>
            logger.error('kill switch refusal not delivered', { error: failure as Error }),
          );
      }
    }
  });
}
