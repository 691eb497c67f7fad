import type { ScheduledEvent } from 'aws-lambda';
import { emfMetrics } from '../adapters/aws/emf-metrics';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { secretBackedNotifier } from '../adapters/aws/slack-session';
import { tableStore } from '../adapters/aws/table-clients';
import { requestLogger } from '../adapters/logger';
import { RECONCILE_AFTER_SECONDS, reconcileRequests, type ReconcileDeps } from '../domain/reconcile-requests';
import { systemClock } from '../ports/clock';
import type { OperationalMetrics } from '../ports/operational-metrics';

/** What the reconciler needs: the reconcile use case's ports and where `RequestReconciled` is counted. */
export interface ReconcileHandlerDeps extends ReconcileDeps {
  readonly metrics: OperationalMetrics;
}

/**
 * The scheduled reconciler (every minute): completes decisions older than
 * {@link RECONCILE_AFTER_SECONDS} that the workflow did not carry through. Each completed request is
 * logged and counted (`RequestReconciled`: a hand-over was lost); a request it could not complete
 * fails the invocation (the function's error alarm) after the others were done.
 */
export function reconcileHandler(deps: ReconcileHandlerDeps) {
  return async (event?: Partial<Pick<ScheduledEvent, 'time'>>): Promise<{ completed: number }> => {
    // The run is for the time it was scheduled (EventBridge's `time`), else for now.
    const scheduled = event?.time ? Date.parse(event.time) : NaN;
    const now = Number.isNaN(scheduled) ? deps.clock.now().getTime() : scheduled;
    const settledBefore = new Date(now - RECONCILE_AFTER_SECONDS * 1000);
    const { completed, failed } = await reconcileRequests(deps, settledBefore);
    for (const id of completed) {
      requestLogger(id).warn('decision completed by the reconciler');
      deps.metrics.count('RequestReconciled');
    }
    if (failed.length > 0) {
      for (const id of failed) requestLogger(id).error('reconciler could not complete the decision');
      throw new Error(`${failed.length} decided request(s) could not be completed; the next run retries`);
    }
    return { completed: completed.length };
  };
}

export const handler = lazyHandler(() =>
  reconcileHandler({
    store: tableStore(),
    notifier: secretBackedNotifier('reconcile'),
    clock: systemClock,
    metrics: emfMetrics,
  }),
);
