import type { ApprovalNotifier } from '../../ports/approval-notifier';
import type { Clock } from '../../ports/clock';
import type { RequestStore } from '../../ports/request-store';
import type { ApprovalRequest, AuditEvent } from '../requests/approval-request';
import { showDigestOutcome, type DigestDeps } from './digest-paging';
import { recordOutcomeNotified } from './outcome-notified';
import { shownToApprovers } from '../requests/open-request';

/** Ports that show a decided request's outcome to its approvers. */
export interface ShowOutcomeDeps {
  readonly store: RequestStore;
  readonly notifier: Pick<ApprovalNotifier, 'updateMessage'>;
  readonly clock: Clock;
  /** Where a digested request's entry is shown. @default digests are not updated here */
  readonly digest?: DigestDeps;
}

/**
 * Shows a decided request's outcome wherever its approvers saw it (its digest entry, its own
 * messages), then records that it did (`outcome_notified`). A digest entry it cannot update (no
 * digest ports given) leaves the record out, so the request stays unfinished and the reconciler,
 * which has the ports, shows it.
 */
export async function showOutcome(
  deps: ShowOutcomeDeps,
  request: ApprovalRequest,
  actor: AuditEvent['actor'],
): Promise<void> {
  const digested = request.digest?.page !== undefined;
  await showDigestOutcome(deps.digest, request);
  if (request.slackMessage) await deps.notifier.updateMessage(request);
  if (shownToApprovers(request) && (!digested || deps.digest)) {
    await recordOutcomeNotified(deps, request.id, actor);
  }
}
