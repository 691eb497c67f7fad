import type { Clock } from '../ports/clock';
import type { RequestStore } from '../ports/request-store';
import { newJti } from './ids';
import { updateRequest } from './update-request';

/** How long an approved grant waits for the agent to collect its token. */
export const GRANT_PICKUP_SECONDS = 600;

/**
 * Turns an approval into a grant: exactly the approved action, resource and audience, with a fresh
 * token id. Nothing is signed here; signing happens at delivery so no usable token is ever stored.
 * Idempotent: a retried step keeps the first grant.
 */
export async function issueGrant(
  deps: { readonly store: RequestStore; readonly clock: Clock },
  requestId: string,
): Promise<void> {
  await updateRequest(deps.store, requestId, (current) => {
    if (current.status !== 'APPROVED' || current.grant) return undefined;
    const now = deps.clock.now();
    const grant = {
      jti: newJti(),
      ttlSeconds: current.requestedTtlSeconds,
      issuedAt: now.toISOString(),
      pickupBy: new Date(now.getTime() + GRANT_PICKUP_SECONDS * 1000).toISOString(),
      authorizationDetails: [
        {
          type: 'stepup_action' as const,
          actions: [current.action],
          identifier: current.resource,
          locations: [current.audience],
        },
      ],
    };
    return {
      ...current,
      grant,
      events: [
        ...current.events,
        { type: 'grant_issued', at: grant.issuedAt, actor: 'workflow', detail: { jti: grant.jti } },
      ],
    };
  });
}
