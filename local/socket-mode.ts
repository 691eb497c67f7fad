import { App, LogLevel } from '@slack/bolt';
import {
  registerApprovalListeners,
  type ApprovalListenerDeps,
} from '../lambdas/adapters/slack/approval-listeners';
import { boltLogger } from '../lambdas/adapters/slack/bolt-logger';
import { slackClientOptions } from '../lambdas/adapters/slack/web-client';

/**
 * Connects the local runtime to a real Slack workspace over Socket Mode (`SLACK_APP_TOKEN`), so
 * approvers can click in Slack without a public URL. Clicks arrive over the socket, already
 * authenticated by Slack, and run through the same listeners as `POST /slack/events`.
 * @returns a function that disconnects
 */
export async function startSocketMode(
  appToken: string,
  botToken: string,
  deps: ApprovalListenerDeps,
): Promise<() => Promise<void>> {
  const app = new App({
    token: botToken,
    appToken,
    socketMode: true,
    logger: boltLogger(),
    logLevel: LogLevel.WARN,
    clientOptions: slackClientOptions({ profile: 'interactive' }),
  });
  registerApprovalListeners(app, deps);
  await app.start();
  return async () => {
    await app.stop();
  };
}
