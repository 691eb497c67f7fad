import type { AgentsConfig } from '../../domain/agents/agent-admission';
import type { OwnerNoticeDeps } from '../../domain/agents/tell-owners';
import { secretBackedOwnerNotifier } from './slack-session';
import { ownerNoticeClaims } from './table-clients';

/**
 * What function `fn` needs to tell agents' owners: the registry, its owner notifier (following the
 * Slack secret) and the claims in the table that keep each notice to one send.
 */
export function ownerNotices(fn: string, agents: AgentsConfig): OwnerNoticeDeps {
  return { agents, notifier: secretBackedOwnerNotifier(fn), claims: ownerNoticeClaims() };
}
