import type { ApprovalNotifier } from '../../ports/approval-notifier';
import type { Clock } from '../../ports/clock';
import type { RequestStore } from '../../ports/request-store';
import type { ApprovalRequest } from './approval-request';
import { workflowUnfinished } from './open-request';
import { issueGrant } from '../tokens/issue-grant';
import { notifyOutcome } from '../paging/notify-outcome';
import type { DigestDeps } from '../paging/digest-paging';

/**
 * How long a decision is left to its live workflow before the reconciler completes it. The live path
 * takes well under a second; a decision this old was not handed over (SendTaskSuccess failed for
 * good) or its execution was lost.
 */
export const RECONCILE_AFTER_SECONDS = 60;

/** A request with a decision that was not carried through (no grant yet, or Slack not told: its message or digest entry). */
export function decidedButUnfinished(request: ApprovalRequest): boolean {
  return request.status !== 'PENDING' && workflowUnfinished(request);
}

/** When the request last changed: its newest audit event. */
function lastChange(request: ApprovalRequest): number {
  return Math.max(...request.events.map((e) => Date.parse(e.at)), Date.parse(request.createdAt));
}

/** Ports the reconciler needs. */
export interface ReconcileDeps {
  readonly store: RequestStore;
  readonly notifier: ApprovalNotifier;
  readonly clock: Clock;
  /** Where a digested request's entry is shown. @default digests are not updated */
  readonly digest?: DigestDeps;
}

/**
 * Does for one decided request what its workflow would have done after the decision, with the
 * workflow's own idempotent steps: issue the grant (APPROVED), then show the outcome in Slack (an
 * interrupted post is found and recorded first). Running beside a live execution changes nothing twice.
 */
export async function completeDecision(deps: ReconcileDeps, requestId: string): Promise<void> {
  await issueGrant(deps, requestId);
  await notifyOutcome(deps, requestId);
}

/** What one reconciler run did. */
export interface ReconcileResult {
  /** Requests whose decision it carried through. */
  readonly completed: readonly string[];
  /** Requests it could not complete (left for the next run). */
  readonly failed: readonly string[];
}

/** A run's result while it is collected. */
export interface ReconcileTally {
  readonly completed: string[];
  readonly failed: string[];
}

/**
 * The reconciler's work on one listed request: completes it ({@link completeDecision}) when it was
 * decided (and untouched) before `settledBefore` and its decision was not carried through; a request
 * it could not complete goes into `tally.failed`, for the next run.
 */
export async function reconcileRequest(
  deps: ReconcileDeps,
  request: ApprovalRequest,
  settledBefore: Date,
  tally: ReconcileTally,
): Promise<void> {
  if (!decidedButUnfinished(request) || lastChange(request) >= settledBefore.getTime()) return;
  try {
    await completeDecision(deps, request.id);
    tally.completed.push(request.id);
  } catch {
    tally.failed.push(request.id);
  }
}

/**
 * The reconciler: every request decided (and untouched) before `settledBefore` whose decision was not
 * carried through is completed ({@link reconcileRequest}). A failure of one request does not stop
 * the others; the next run retries it.
 */
export async function reconcileRequests(deps: ReconcileDeps, settledBefore: Date): Promise<ReconcileResult> {
  const tally: ReconcileTally = { completed: [], failed: [] };
  for await (const request of deps.store.listUnfinished())
    await reconcileRequest(deps, request, settledBefore, tally);
  return tally;
}
