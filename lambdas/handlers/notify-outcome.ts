import { digestBoard, tableStore } from '../adapters/aws/table-clients';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { secretBackedNotifier } from '../adapters/aws/slack-session';
import { ownerNotices } from '../adapters/aws/owner-notices';
import { envConfig } from '../adapters/env-config';
import type { OwnerNoticeDeps } from '../domain/agents/tell-owners';
import { requestLogger } from '../adapters/logger';
import { requestIdOf, type StepEvent } from '../adapters/workflow/step-event';
import type { DigestDeps } from '../domain/paging/digest-paging';
import { notifyOutcome } from '../domain/paging/notify-outcome';
import { systemClock, type Clock } from '../ports/clock';
import type { ApprovalNotifier } from '../ports/approval-notifier';
import type { RequestStore } from '../ports/request-store';

/** Workflow step `NotifyOutcome`: the Slack message shows how the request ended. */
export function notifyOutcomeHandler(deps: {
  readonly store: RequestStore;
  readonly notifier: ApprovalNotifier;
  readonly clock: Clock;
  readonly owners?: OwnerNoticeDeps;
  readonly digest?: DigestDeps;
}) {
  return async (event: StepEvent): Promise<void> => {
    const requestId = requestIdOf(event);
    await notifyOutcome(deps, requestId);
    requestLogger(requestId).info('outcome shown in Slack');
  };
}

export const handler = lazyHandler(() => {
  const notifier = secretBackedNotifier('notifyOutcome');
  return notifyOutcomeHandler({
    store: tableStore(),
    notifier,
    clock: systemClock,
    owners: ownerNotices('notifyOutcome', envConfig().agents),
    digest: { board: digestBoard(), notifier },
  });
});
