import type { ApprovalRequirements } from '../requests/approval-request';
import type { StepUpConfig } from '../config/config';
import { ASSURANCE_LEVELS, combinedDescription, type PolicyAnnotations } from './policy-annotations';

/**
 * The requirements of a step-up when several permit policies determine it: the strictest wins.
 * The highest quorum, the shortest approval timeout and token lifetime, the strongest `@assurance`
 * (only a stronger one is stored: absent means a Slack click), and an approver must belong
 * to one of the groups of EVERY determining policy. Unset annotations take the config defaults.
 */
export function combineRequirements(
  determining: readonly PolicyAnnotations[],
  defaults: StepUpConfig['defaults'],
): ApprovalRequirements {
  const sorted = [...determining].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const groupSets: string[][] = [];
  for (const policy of sorted) {
    const set = [...(policy.approvers ?? [defaults.approvers])].sort();
    if (!groupSets.some((existing) => existing.join() === set.join())) groupSets.push(set);
  }
  return {
    approverGroups: groupSets,
    quorum: Math.max(1, ...sorted.map((p) => p.quorum ?? 1)),
    approvalTimeoutSeconds: Math.min(
      ...sorted.map((p) => p.approvalTimeoutSeconds ?? defaults.approvalTimeoutSeconds),
    ),
    maxTokenTtlSeconds: tokenTtlCap(sorted, defaults),
    escalateTo: sorted.find((p) => p.escalateTo)?.escalateTo,
    policies: sorted.map((p) => p.id),
    ...(combinedDescription(sorted) === undefined ? {} : { description: combinedDescription(sorted) }),
    ...(strongestAssurance(sorted) === 'passkey' ? { assurance: 'passkey' as const } : {}),
  };
}

/** The strictest `@assurance` of the determining policies (`slack` when none sets one). */
function strongestAssurance(determining: readonly PolicyAnnotations[]) {
  const rank = Math.max(0, ...determining.map((p) => ASSURANCE_LEVELS.indexOf(p.assurance ?? 'slack')));
  return ASSURANCE_LEVELS[rank];
}

/** The longest token lifetime the determining policies allow (`@max_ttl`, else the config default). */
export function tokenTtlCap(
  determining: readonly PolicyAnnotations[],
  defaults: StepUpConfig['defaults'],
): number {
  return Math.min(...determining.map((p) => p.maxTtlSeconds ?? defaults.maxTokenTtlSeconds), Infinity);
}

/**
 * True when `user` may approve under `requirements`: a member of some group in every group set.
 * (Slack user groups, `S…`, are resolved by the Slack adapter before this check.)
 */
export function isEligibleApprover(
  requirements: ApprovalRequirements,
  config: StepUpConfig,
  user: string,
): boolean {
  return (
    requirements.approverGroups.length > 0 &&
    requirements.approverGroups.every((set) =>
      set.some(
        (group) =>
          Object.hasOwn(config.approverGroups, group) &&
          (config.approverGroups[group]?.members.includes(user) ?? false),
      ),
    )
  );
}

/** Everyone configured who could approve under `requirements`. */
export function eligibleApprovers(requirements: ApprovalRequirements, config: StepUpConfig): string[] {
  const everyone = new Set(Object.values(config.approverGroups).flatMap((group) => group.members));
  return [...everyone].filter((user) => isEligibleApprover(requirements, config, user));
}
