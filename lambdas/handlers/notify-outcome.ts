import { tableStore } from '../adapters/aws/table-clients';
import { emfMetrics } from '../adapters/aws/emf-metrics';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { slackCredentials } from '../adapters/aws/slack-secret';
import { requestLogger } from '../adapters/logger';
import { SlackNotifier } from '../adapters/slack/slack-notifier';
import { slackWebClient } from '../adapters/slack/web-client';
import { requestIdOf, type StepEvent } from '../adapters/workflow/step-event';
import { notifyOutcome } from '../domain/notify-outcome';
import { systemClock, type Clock } from '../ports/clock';
import type { ApprovalNotifier } from '../ports/approval-notifier';
import type { RequestStore } from '../ports/request-store';

/** Workflow step `NotifyOutcome`: the Slack message shows how the request ended. */
export function notifyOutcomeHandler(deps: {
  readonly store: RequestStore;
  readonly notifier: ApprovalNotifier;
  readonly clock: Clock;
}) {
  return async (event: StepEvent): Promise<void> => {
    const requestId = requestIdOf(event);
    await notifyOutcome(deps, requestId);
    requestLogger(requestId).info('outcome shown in Slack');
  };
}

export const handler = lazyHandler(async () => {
  const { botToken } = await slackCredentials();
  return notifyOutcomeHandler({
    store: tableStore(),
    notifier: new SlackNotifier(slackWebClient(botToken, undefined, emfMetrics)),
    clock: systemClock,
  });
});
