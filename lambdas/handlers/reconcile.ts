import type { Context, ScheduledEvent } from 'aws-lambda';
import { emfMetrics } from '../adapters/aws/emf-metrics';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { secretBackedNotifier } from '../adapters/aws/slack-session';
import { ownerNotices } from '../adapters/aws/owner-notices';
import { envConfig } from '../adapters/env-config';
import { digestBoard, killSwitchLedger, tableStore } from '../adapters/aws/table-clients';
import { stateMachineWorkflow } from '../adapters/aws/workflow-clients';
import { logger, requestLogger } from '../adapters/logger';
import { continueKillSwitches, KILL_SWITCH_HANDOVER_SECONDS } from '../domain/agents/continue-kill-switches';
import {
  RECONCILE_AFTER_SECONDS,
  reconcileRequests,
  type ReconcileDeps,
} from '../domain/requests/reconcile-requests';
import type { KillSwitchDeps } from '../domain/tokens/revoke';
import { systemClock } from '../ports/clock';
import type { OperationalMetrics } from '../ports/operational-metrics';

/**
 * What the reconciler needs: the reconcile and kill switch use cases' ports, and where
 * `RequestReconciled` and `KillSwitchCompleted` are counted.
 */
export interface ReconcileHandlerDeps extends ReconcileDeps, KillSwitchDeps {
  readonly notifier: ReconcileDeps['notifier'];
  readonly metrics: OperationalMetrics;
}

/** Time left at the end of a run for the page in hand and the answer (the function's timeout is 60 s). */
const KILL_SWITCH_MARGIN_MS = 15_000;

/** The kill switch's share of a run when the time left is unknown (a direct call, the local runtime). */
export const KILL_SWITCH_STRETCH_MS = 30_000;

/**
 * The scheduled reconciler (every minute): completes decisions older than
 * {@link RECONCILE_AFTER_SECONDS} that the workflow did not carry through, then carries on kill switch
 * runs that their calls left unfinished until shortly before the function's timeout. Each completed
 * request and each finished kill switch is logged and counted; a request it could not complete fails
 * the invocation (the function's error alarm) after the rest was done.
 */
export function reconcileHandler(deps: ReconcileHandlerDeps) {
  return async (
    event?: Partial<Pick<ScheduledEvent, 'time'>>,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<{ completed: number; killSwitchesCompleted: number }> => {
    // The run is for the time it was scheduled (EventBridge's `time`), else for now.
    const scheduled = event?.time ? Date.parse(event.time) : NaN;
    const now = Number.isNaN(scheduled) ? deps.clock.now().getTime() : scheduled;
    const settledBefore = new Date(now - RECONCILE_AFTER_SECONDS * 1000);
    const { completed, failed } = await reconcileRequests(deps, settledBefore);
    for (const id of completed) {
      requestLogger(id).warn('decision completed by the reconciler');
      deps.metrics.count('RequestReconciled');
    }
    const stretch = context
      ? context.getRemainingTimeInMillis() - KILL_SWITCH_MARGIN_MS
      : KILL_SWITCH_STRETCH_MS;
    const killSwitches = await continueKillSwitches(deps, {
      startedBefore: new Date(now - KILL_SWITCH_HANDOVER_SECONDS * 1000),
      deadline: new Date(deps.clock.now().getTime() + stretch),
    });
    for (const run of killSwitches) {
      logger.warn(run.complete ? 'kill switch complete' : 'kill switch carried on: not complete yet', {
        audit: true,
        ...run,
      });
      if (run.complete) deps.metrics.count('KillSwitchCompleted');
    }
    if (failed.length > 0) {
      for (const id of failed) requestLogger(id).error('reconciler could not complete the decision');
      throw new Error(`${failed.length} decided request(s) could not be completed; the next run retries`);
    }
    return {
      completed: completed.length,
      killSwitchesCompleted: killSwitches.filter((r) => r.complete).length,
    };
  };
}

export const handler = lazyHandler(() => {
  const notifier = secretBackedNotifier('reconcile');
  return reconcileHandler({
    store: tableStore(),
    killSwitches: killSwitchLedger(),
    workflow: stateMachineWorkflow(),
    notifier,
    clock: systemClock,
    metrics: emfMetrics,
    owners: ownerNotices('reconcile', envConfig().agents),
    digest: { board: digestBoard(), notifier },
  });
});
