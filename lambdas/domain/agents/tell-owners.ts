import type { OwnerNoticeClaims } from '../../ports/owner-notice-claims';
import type { OwnerNotice, OwnerNotifier } from '../../ports/owner-notifier';
import { agentProfileOf, type AgentsConfig } from './agent-admission';
import type { ApprovalRequest } from '../requests/approval-request';

/** What telling an agent's owners needs: the registry, a notifier and the notices' claims. */
export interface OwnerNoticeDeps {
  /** The agent registry (config `agents`). */
  readonly agents: AgentsConfig;
  readonly notifier: OwnerNotifier;
  /** Keeps each notice to one send across retries, re-drives and races. */
  readonly claims: OwnerNoticeClaims;
}

/**
 * What a notice reports, as its claim key: the request and how it ended, or the agent and its kill
 * switch run. Each names one event that happens once, so one claim per key is one notice per event.
 */
export function ownerNoticeKey(notice: OwnerNotice): string {
  const event = notice.killSwitch
    ? `${notice.agent}#${notice.killSwitch.startedAt}`
    : (notice.request?.id ?? notice.agent);
  return `${notice.kind}#${event}`;
}

/**
 * Tells the registered owners of `agent` (a workload `sub`) what happened to it; nothing when the
 * registry does not describe it (an unregistered identity has no owners).
 *
 * At most once per event: the notice is claimed ({@link ownerNoticeKey}, one conditional write)
 * before anything is posted, and only the first claim posts. A retried step, a re-driven decision
 * or a race between the workflow and the reconciler therefore never tells the owners twice; the
 * price is that a post that fails (or a crash between the claim and the post) is not repeated, which
 * the notifier counts (`OwnerNoticeFailed`, alarmed). The event itself stays in the audit trail.
 * @throws whatever the claim throws: nothing was posted, so the caller's retry is safe
 */
export async function tellOwners(
  deps: OwnerNoticeDeps | undefined,
  agent: string,
  details: Omit<OwnerNotice, 'agent' | 'agentName'>,
): Promise<void> {
  const profile = deps && agentProfileOf(deps.agents, agent);
  if (!deps || !profile || profile.owners.length === 0) return;
  const notice: OwnerNotice = { ...details, agent, agentName: profile.name };
  if (!(await deps.claims.claim(ownerNoticeKey(notice)))) return;
  await deps.notifier.tellOwners(profile.owners, notice);
}

/** Tells the owners how a request of their agent ended, if it was denied or expired. */
export async function tellOwnersOutcome(
  deps: OwnerNoticeDeps | undefined,
  request: ApprovalRequest,
): Promise<void> {
  const kind =
    request.status === 'EXPIRED'
      ? 'expired'
      : request.status !== 'DENIED'
        ? undefined
        : request.policyOutcome === 'deny'
          ? 'policy_denied'
          : 'denied';
  if (!kind) return;
  await tellOwners(deps, request.agent, {
    kind,
    request: {
      id: request.id,
      action: request.action,
      resource: request.resource,
      ...(request.denialReason ? { reason: request.denialReason } : {}),
    },
  });
}
