import type { AdmitMatch, AdmitRule } from '../../lambdas/domain/agents/agent-admission';

let counter = 0;

/**
 * An admit rule registered under a generated name (team `tests`, owned by `U0OWNER`), for tests that
 * are about admission, not about the registry.
 */
export function registeredAgent(
  match: AdmitMatch,
  profile: Partial<Omit<AdmitRule, keyof AdmitMatch>> = {},
): AdmitRule {
  counter += 1;
  return { name: `agent-${counter}`, team: 'tests', owners: ['U0OWNER'], ...match, ...profile } as AdmitRule;
}
