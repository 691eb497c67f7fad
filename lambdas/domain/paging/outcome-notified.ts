import type { Clock } from '../../ports/clock';
import type { RequestStore } from '../../ports/request-store';
import type { AuditEvent } from '../requests/approval-request';
import { updateRequest } from '../requests/update-request';

/**
 * Records that the request's Slack message shows its outcome (`outcome_notified`, once). Until it is
 * recorded the request counts as unfinished (`workflowUnfinished`), so a message update that was
 * cut short is repeated, and once it is recorded the request can leave the index of open requests.
 */
export async function recordOutcomeNotified(
  deps: { readonly store: RequestStore; readonly clock: Clock },
  requestId: string,
  actor: AuditEvent['actor'],
): Promise<void> {
  await updateRequest(deps.store, requestId, (current) =>
    current.events.some((e) => e.type === 'outcome_notified')
      ? undefined
      : {
          ...current,
          events: [
            ...current.events,
            {
              type: 'outcome_notified',
              at: deps.clock.now().toISOString(),
              actor,
              detail: { status: current.status },
            },
          ],
        },
  );
}
