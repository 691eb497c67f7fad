import type { ApprovalNotifier } from '../../ports/approval-notifier';
import type { Clock } from '../../ports/clock';
import type { KillSwitchLedger, KillSwitchRun } from '../../ports/kill-switch-ledger';
import type { RequestStore } from '../../ports/request-store';
import type { TokenVerifier } from '../../ports/token-signer';
import type { Workflow } from '../../ports/workflow';
import type { ApprovalRequest } from '../requests/approval-request';
import { forEachBounded } from '../bounded-concurrency';
import { afterCancel, cancelled } from '../requests/cancel-request';
import type { DigestDeps } from '../paging/digest-paging';
import { StepUpError } from '../errors';
import { agentProfileOf, type AgentsConfig } from '../agents/agent-admission';
import { tellOwners, type OwnerNoticeDeps } from '../agents/tell-owners';
import { killable } from '../requests/open-request';
import { updateRequest } from '../requests/update-request';

/** Ports revocation needs. */
export interface RevokeDeps extends KillSwitchDeps {
  readonly verifier: TokenVerifier;
  /** Workload subs allowed to use the per-agent kill switch. */
  readonly operators: readonly string[];
}

/** What `POST /v1/revoke` was asked (parsed in `lambdas/api/`): one token (RFC 7009) or every grant of an agent. */
export type RevokeInput = { readonly token: string } | { readonly agent: string };

/**
 * Marks an approval revoked, unless its grant was used or already revoked. The grant need not be
 * delivered, nor even issued yet: a grant issued after the revocation is never delivered.
 */
function revoked(current: ApprovalRequest, at: string, actor: string): ApprovalRequest | undefined {
  if (current.status !== 'APPROVED' || !killable(current)) return undefined;
  const detail = current.grant ? { jti: current.grant.jti } : undefined;
  return {
    ...current,
    revokedAt: at,
    events: [...current.events, { type: 'revoked', at, actor, ...(detail ? { detail } : {}) }],
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

/** How far an agent's kill switch has got (the whole run, whichever calls carried it). */
export interface KillSwitchResult {
  /** Pending requests cancelled by the run so far. */
  readonly cancelled: number;
  /** Grants revoked by the run so far. */
  readonly revoked: number;
  /**
   * True when nothing of the agent is left open. False when the call's deadline came first: what is
   * left is still in the index of open requests, and the reconciler carries the run on.
   */
  readonly complete: boolean;
  readonly startedAt: string;
  readonly completedAt?: string;
}

/** What the kill switch's work needs: the request store, the run ledger and the side effects of a cancel. */
export interface KillSwitchDeps {
  readonly store: RequestStore;
  readonly killSwitches: KillSwitchLedger;
  readonly workflow: Pick<Workflow, 'stop'>;
  readonly notifier: Pick<ApprovalNotifier, 'updateMessage'>;
  readonly clock: Clock;
  /** Tells the agent's owners when a run completes. @default nobody is told */
  readonly owners?: OwnerNoticeDeps;
  /** Where a digested request's entry is shown. @default left to the reconciler */
  readonly digest?: DigestDeps;
}

/** Prefix of the actor of a kill switch pulled by one of the agent's registered owners. */
const OWNER_ACTOR = 'owner:';

/**
 * The audit actor of a run: `owner:<slack user>` as its owner pulled it, else `operator:<sub>`.
 * @param puller who the ledger says pulled it ({@link KillSwitchRun.operator})
 */
export function killSwitchActor(puller: string): string {
  return puller.startsWith(OWNER_ACTOR) ? puller : `operator:${puller}`;
}

/** How many of the agent's requests the kill switch changes at once. */
const KILL_SWITCH_CONCURRENCY = 8;

/**
 * One stretch of a kill switch run: every pending request of `agent` is cancelled (workflow stopped,
 * Slack message updated) and every grant not yet used is revoked, each audited as `actor`. It reads
 * only the agent's open requests (`RequestStore.listOpenByAgent`), a page at a time, so its work
 * grows with what is pending or unused, never with the agent's history; a request it changed leaves
 * that list. What it did is added to the run in the ledger, which it closes when nothing is left.
 * @param deadline when to stop taking new pages; the run then stays open for the next stretch
 */
export async function sweepAgent(
  deps: KillSwitchDeps,
  run: Pick<KillSwitchRun, 'agent' | 'startedAt'>,
  actor: string,
  deadline?: Date,
): Promise<KillSwitchResult> {
  const reason = actor.startsWith(OWNER_ACTOR)
    ? 'agent revoked by its owner'
    : 'agent revoked by an operator';
  let cancelledCount = 0;
  let revokedCount = 0;
  let cursor: string | undefined;
  let complete = true;
  do {
    if (deadline && deps.clock.now() >= deadline) {
      complete = false;
      break;
    }
    const page = await deps.store.listOpenByAgent(run.agent, cursor);
    await forEachBounded(page.items, KILL_SWITCH_CONCURRENCY, async (id) => {
      // The deadline holds within a page too: a page is large, and each cancel calls Step Functions
      // and Slack, so a whole page could outlast an owner's click (Slack waits 3 s). What is left
      // stays in the open index for the next stretch.
      if (deadline && deps.clock.now() >= deadline) {
        complete = false;
        return;
      }
      const at = deps.clock.now().toISOString();
      const { request, changed } = await updateRequest(
        deps.store,
        id,
        (current) => cancelled(current, at, actor, reason) ?? revoked(current, at, actor),
      );
      if (!changed) return;
      if (request.status === 'CANCELLED') {
        cancelledCount++;
        await afterCancel(deps, request);
      } else {
        revokedCount++;
      }
    });
    cursor = page.cursor;
  } while (cursor && complete);
  const recorded = await deps.killSwitches.record(run.agent, run.startedAt, {
    cancelled: cancelledCount,
    revoked: revokedCount,
    ...(complete ? { completedAt: deps.clock.now().toISOString() } : {}),
  });
  if (complete) {
    await tellOwners(deps.owners, run.agent, {
      kind: 'kill_switch',
      killSwitch: {
        cancelled: recorded.cancelled,
        revoked: recorded.revoked,
        actor,
        startedAt: recorded.startedAt,
      },
    });
  }
  return {
    cancelled: recorded.cancelled,
    revoked: recorded.revoked,
    complete: recorded.completedAt !== undefined,
    startedAt: recorded.startedAt,
    ...(recorded.completedAt ? { completedAt: recorded.completedAt } : {}),
  };
}

/**
 * The operator kill switch: records the pull in the ledger first (so a run cut short by the deadline,
 * a timeout or a crash is carried on by the reconciler), then works on it until `deadline`
 * ({@link sweepAgent}). Pulling it again while a run goes on joins that run.
 * @param deadline when to stop taking new pages (a Lambda's time left); the answer then says `complete: false`
 * @throws StepUpError `forbidden` unless `operator` is configured as an operator
 */
export async function revokeAgent(
  deps: RevokeDeps,
  operator: string,
  agent: string,
  deadline?: Date,
): Promise<KillSwitchResult> {
  if (!deps.operators.includes(operator)) {
    throw new StepUpError('forbidden', 'only operators may revoke everything of an agent');
  }
  const run = await deps.killSwitches.begin(agent, operator, deps.clock.now().toISOString());
  return sweepAgent(deps, run, killSwitchActor(operator), deadline);
}

/**
 * The kill switch pulled by one of the agent's registered owners (from the Slack message that told
 * them about it): the same run as an operator's ({@link revokeAgent}), audited as `owner:<user>`.
 * @param owner the Slack user id of the one who pulled it
 * @throws StepUpError `forbidden` unless the registry names `owner` among the agent's owners
 */
export async function revokeAgentAsOwner(
  deps: KillSwitchDeps & { readonly agents: AgentsConfig },
  owner: string,
  agent: string,
  deadline?: Date,
): Promise<KillSwitchResult> {
  if (!agentProfileOf(deps.agents, agent)?.owners.includes(owner)) {
    throw new StepUpError('forbidden', 'only an owner of the agent may pull its kill switch');
  }
  const actor = `${OWNER_ACTOR}${owner}`;
  const run = await deps.killSwitches.begin(agent, actor, deps.clock.now().toISOString());
  return sweepAgent(deps, run, actor, deadline);
}
