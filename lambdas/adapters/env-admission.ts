import { AgentAdmission } from '../domain/agent-admission';
import { envConfig } from './env-config';

/** The admission rules of the config in `STEPUP_CONFIG_JSON` (set with the route, see `lib/grants.ts`). */
export function envAdmission(): AgentAdmission {
  const config = envConfig();
  return new AgentAdmission(config.agents, config.operators);
}
