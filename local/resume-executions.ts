import {
  reconcileRequest,
  type ReconcileDeps,
  type ReconcileResult,
  type ReconcileTally,
} from '../lambdas/domain/requests/reconcile-requests';
import type { LocalWorkflow } from './local-workflow';
import { within } from './within';

/**
 * How long a start waits for the resumed executions to store their task tokens before it serves the
 * API. Correctness does not depend on it (a click that beats a resumed wait is handed to that wait
 * when it begins); it only spares such a click a detour. Bounded because the same step then pages
 * Slack, which may be slow.
 */
const RESUME_WAIT_MS = 2000;

/** What a start recovered. */
export interface Recovered extends ReconcileResult {
  /** Pending requests that got a new execution. */
  readonly resumed: readonly string[];
}

/**
 * Step Functions keeps executions across restarts; the local interpreter keeps them in memory. So
 * that a crash loses nothing, a start with a data directory, before it serves any call, in one pass
 * over the unfinished requests (each read once):
 * 1. completes every decided request whose decision was not carried through (the click came just
 *    before the crash): grant, interrupted post, Slack updated;
 * 2. starts a new execution for every pending request, with the time it had left (at least 1 s);
 * 3. waits until those executions have stored their task tokens (at most {@link RESUME_WAIT_MS}).
 */
export async function resumeExecutions(deps: ReconcileDeps, workflow: LocalWorkflow): Promise<Recovered> {
  const now = deps.clock.now();
  // Everything in the table predates this start: no decision is a live workflow's.
  const settledBefore = new Date(now.getTime() + 1);
  const reconciled: ReconcileTally = { completed: [], failed: [] };
  const resumed: string[] = [];
  // One pass over the unfinished: each request is read once, whichever of the two it needs.
  for await (const request of deps.store.listUnfinished()) {
    if (request.status !== 'PENDING') {
      await reconcileRequest(deps, request, settledBefore, reconciled);
      continue;
    }
    const remaining = Math.ceil((Date.parse(request.expiresAt) - now.getTime()) / 1000);
    await workflow.start({
      request_id: request.id,
      approval_timeout_seconds: Math.max(1, remaining),
      ...(request.requirements.escalateTo ? { escalate_to: request.requirements.escalateTo } : {}),
    });
    resumed.push(request.id);
  }
  await within(Promise.all(resumed.map((id) => workflow.waitBegun(id))), RESUME_WAIT_MS);
  return { ...reconciled, resumed };
}

/**
 * The reconciler locally, as the schedule runs the function in AWS: `reconcile` (the reconcile
 * function's handler, with local adapters) every period, one run at a time. A failed run is left to
 * the next, as in AWS; the handler logs what it did.
 * @returns stops it
 */
export function reconcileEvery(reconcile: () => Promise<unknown>, periodMs: number): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    reconcile()
      .catch(() => undefined)
      .finally(() => (running = false));
  }, periodMs);
  timer.unref();
  return () => clearInterval(timer);
}
