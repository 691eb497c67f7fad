import { unregisteredProfile } from '../../domain/agents/agent-registry';
import type { PolicyQuestion } from '../../ports/approval-policy';

/**
 * The Cedar `Agent`'s attributes (`policies/stepup.cedarschema`): its registry entry, or the
 * unregistered profile. The evaluator and the loader's schema probe both build the entity with it.
 */
export function agentAttributes(question: Pick<PolicyQuestion, 'agent' | 'agentProfile'>): {
  name: string;
  team: string;
  owners: string[];
} {
  const { name, team, owners } = question.agentProfile ?? unregisteredProfile(question.agent);
  return { name, team, owners: [...owners] };
}
