import type { Clock } from '../../ports/clock';
import type { RequestStore } from '../../ports/request-store';
import type { ApprovalRequest } from '../requests/approval-request';
import { newJti } from '../ids';
import { updateRequest } from '../requests/update-request';

/** How long an approved grant waits for the agent to collect its token. */
export const GRANT_PICKUP_SECONDS = 600;

/**
 * `request` with its grant: exactly the approved action, resource and audience, with a fresh token
 * id. Nothing is signed; signing happens at delivery so no usable token is ever stored.
 */
export function withGrant(request: ApprovalRequest, now: Date): ApprovalRequest {
  const grant = {
    jti: newJti(),
    ttlSeconds: request.requestedTtlSeconds,
    issuedAt: now.toISOString(),
    pickupBy: new Date(now.getTime() + GRANT_PICKUP_SECONDS * 1000).toISOString(),
    authorizationDetails: [
      {
        type: 'stepup_action' as const,
        actions: [request.action],
        identifier: request.resource,
        locations: [request.audience],
        ...(request.parameters ? { parameters_sha256: request.parameters.sha256 } : {}),
      },
    ],
  };
  return {
    ...request,
    grant,
    events: [
      ...request.events,
      { type: 'grant_issued', at: grant.issuedAt, actor: 'stepup', detail: { jti: grant.jti } },
    ],
  };
}

/**
 * Gives an approved request without a grant its grant. Every approval now writes its grant itself (the
 * deciding vote, auto-approval); only a request approved by an older deployment, whose workflow still
 * had an IssueGrant step, can lack one, and the reconciler completes it with this. Idempotent: a
 * request that has a grant keeps it.
 */
export async function issueGrant(
  deps: { readonly store: RequestStore; readonly clock: Clock },
  requestId: string,
): Promise<void> {
  await updateRequest(deps.store, requestId, (current) =>
    current.status !== 'APPROVED' || current.grant ? undefined : withGrant(current, deps.clock.now()),
  );
}
