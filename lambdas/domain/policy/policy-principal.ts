import type { PolicyQuestion } from '../../ports/approval-policy';
import { agentProfileOf } from '../agents/agent-admission';
import { unregisteredProfile, type AgentProfile } from '../agents/agent-registry';
import type { StepUpConfig } from '../config/config';

/**
 * The agent as the policies see it (the Cedar `Agent`'s `name`, `team`, `owners`): the profile the
 * question brings, else the registry entry of its `sub`, else the unregistered profile (its `sub` as
 * name, no team, no owners). `decide()` and `stepup policy explain` both use this one lookup.
 */
export function policyPrincipal(
  config: Pick<StepUpConfig, 'agents'>,
  question: Pick<PolicyQuestion, 'agent' | 'agentProfile'>,
): AgentProfile {
  return (
    question.agentProfile ??
    agentProfileOf(config.agents, question.agent) ??
    unregisteredProfile(question.agent)
  );
}
