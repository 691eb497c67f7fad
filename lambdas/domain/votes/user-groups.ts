import type { PeopleDirectory } from '../../ports/people-directory';
import type { ApprovalRequirements } from '../requests/approval-request';
import type { ApproverGroup, StepUpConfig } from '../config/config';

/** True for a Slack user-group id (`S…`) among an approver group's members. */
export function isUserGroup(member: string): boolean {
  return member.startsWith('S');
}

/**
 * The config with every Slack user group (`S…`) named by the request's approver groups replaced by
 * its current users, so eligibility is still decided on Slack user ids. Without a directory, user
 * groups match nobody.
 */
export async function withUserGroupsResolved(
  config: StepUpConfig,
  requirements: ApprovalRequirements,
  directory: PeopleDirectory | undefined,
): Promise<StepUpConfig> {
  const names = new Set(requirements.approverGroups.flat());
  const groups = Object.entries(config.approverGroups).filter(
    ([name, group]) => names.has(name) && group.members.some(isUserGroup),
  );
  if (groups.length === 0 || !directory) return config;
  const resolved: Record<string, ApproverGroup> = Object.assign(
    Object.create(null) as object,
    config.approverGroups,
  );
  for (const [name, group] of groups) {
    const members = await Promise.all(
      group.members.map(async (member) =>
        isUserGroup(member) ? directory.userGroupMembers(member) : [member],
      ),
    );
    resolved[name] = { ...group, members: [...new Set(members.flat())] };
  }
  return { ...config, approverGroups: resolved };
}
