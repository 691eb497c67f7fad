import { AgentAdmission } from '../domain/agents/agent-admission';
import type { StepUpConfig } from '../domain/config/config';
import { envConfig } from './env-config';

/**
 * The admission rules of the config in `STEPUP_CONFIG_JSON` (set with the route, see `lib/grants.ts`).
 * @param config that config, when the handler has parsed it already
 */
export function envAdmission(config: StepUpConfig = envConfig()): AgentAdmission {
  return new AgentAdmission(config.agents, config.operators);
}
