import type { ApprovalNotifier } from '../ports/approval-notifier';
import type { Clock } from '../ports/clock';
import type { RequestStore } from '../ports/request-store';
import type { TokenVerifier } from '../ports/token-signer';
import type { Workflow } from '../ports/workflow';
import type { ApprovalRequest } from './approval-request';
import { cancelPending } from './cancel-request';
import { StepUpError } from './errors';
import { updateRequest } from './update-request';

/** Ports revocation needs. */
export interface RevokeDeps {
  readonly store: RequestStore;
  readonly verifier: TokenVerifier;
  readonly workflow: Pick<Workflow, 'stop'>;
  readonly notifier: Pick<ApprovalNotifier, 'updateMessage'>;
  readonly clock: Clock;
  /** Workload subs allowed to use the per-agent kill switch. */
  readonly operators: readonly string[];
}

/** What `POST /v1/revoke` was asked (parsed in `lambdas/api/`): one token (RFC 7009) or every grant of an agent. */
export type RevokeInput = { readonly token: string } | { readonly agent: string };

/** Marks a grant revoked, delivered or not, unless already consumed or revoked. */
function revoked(current: ApprovalRequest, at: string, actor: string): ApprovalRequest | undefined {
  if (current.status !== 'APPROVED' || !current.grant || current.consumedAt || current.revokedAt)
    return undefined;
  return {
    ...current,
    revokedAt: at,
    events: [...current.events, { type: 'revoked', at, actor, detail: { jti: current.grant.jti } }],
  };
}

/**
 * RFC 7009: revokes one token. The caller must be the agent it was issued to or its audience.
 * Like the RFC says, an invalid, unknown or foreign token is answered the same as success.
 */
export async function revokeToken(deps: RevokeDeps, caller: string, token: string): Promise<void> {
  const claims = await deps.verifier.verify(token);
  const requestId = (claims?.approval as { request_id?: unknown } | undefined)?.request_id;
  if (!claims || typeof requestId !== 'string' || (caller !== claims.client_id && caller !== claims.aud))
    return;
  const at = deps.clock.now().toISOString();
  await updateRequest(deps.store, requestId, (current) =>
    current.grant?.jti === claims.jti
      ? revoked(current, at, `${caller === claims.aud ? 'resource-server' : 'agent'}:${caller}`)
      : undefined,
  );
}

/** What the kill switch did. */
export interface KillSwitchResult {
  readonly cancelled: number;
  readonly revoked: number;
}

/**
 * The operator kill switch: every pending request of `agent` is cancelled (workflow stopped, Slack
 * message updated) and every grant not yet used is revoked, each audited.
 * @throws StepUpError `forbidden` unless `operator` is configured as an operator
 */
export async function revokeAgent(
  deps: RevokeDeps,
  operator: string,
  agent: string,
): Promise<KillSwitchResult> {
  if (!deps.operators.includes(operator)) {
    throw new StepUpError('forbidden', 'only operators may revoke everything of an agent');
  }
  const actor = `operator:${operator}`;
  let cancelled = 0;
  let revokedCount = 0;
  for (const id of await deps.store.listByAgent(agent)) {
    if (await cancelPending(deps, id, actor, 'agent revoked by an operator')) {
      cancelled++;
      continue;
    }
    const at = deps.clock.now().toISOString();
    const result = await updateRequest(deps.store, id, (current) => revoked(current, at, actor));
    if (result.changed) revokedCount++;
  }
  return { cancelled, revoked: revokedCount };
}
