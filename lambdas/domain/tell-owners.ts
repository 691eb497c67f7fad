import type { OwnerNotice, OwnerNotifier } from '../ports/owner-notifier';
import { agentProfileOf, type AgentsConfig } from './agent-admission';
import type { ApprovalRequest } from './approval-request';

/** What telling an agent's owners needs: the registry and a notifier. */
export interface OwnerNoticeDeps {
  /** The agent registry (config `agents`). */
  readonly agents: AgentsConfig;
  readonly notifier: OwnerNotifier;
}

/**
 * Tells the registered owners of `agent` (a workload `sub`) what happened to it; nothing when the
 * registry does not describe it (an unregistered identity has no owners).
 */
export async function tellOwners(
  deps: OwnerNoticeDeps | undefined,
  agent: string,
  notice: Omit<OwnerNotice, 'agent' | 'agentName'>,
): Promise<void> {
  const profile = deps && agentProfileOf(deps.agents, agent);
  if (!deps || !profile || profile.owners.length === 0) return;
  await deps.notifier.tellOwners(profile.owners, { ...notice, agent, agentName: profile.name });
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
