import type { ApprovalRequest } from '../requests/approval-request';
import { closeLateMessage, storeTaskToken, type AwaitApprovalDeps } from '../requests/await-approval';
import { escalationMessage, postOnce } from '../paging/post-once';

/** Ports escalation needs. */
export type EscalateDeps = AwaitApprovalDeps;

/** `current` escalated to `group` with the wait's new token: one more window, the group can decide. */
function escalated(current: ApprovalRequest, taskToken: string, group: string, now: Date): ApprovalRequest {
  if (current.escalation) return { ...current, taskToken };
  const at = now.toISOString();
  return {
    ...current,
    taskToken,
    expiresAt: new Date(now.getTime() + current.requirements.approvalTimeoutSeconds * 1000).toISOString(),
    requirements: {
      ...current.requirements,
      approverGroups: current.requirements.approverGroups.map((set) =>
        set.includes(group) ? set : [...set, group],
      ),
    },
    escalation: { group, at },
    events: [...current.events, { type: 'escalated', at, actor: 'workflow', detail: { group } }],
  };
}

/**
 * Workflow step `Escalate`: the approval window passed with nobody deciding. The escalation group
 * joins every approver set, the deadline moves one window on, the new task token is stored, and
 * only then is the group paged in its channel, at most once ({@link postOnce}); the first message
 * is updated to say so. A request decided meanwhile has its decision handed to this task.
 */
export async function escalateApproval(
  deps: EscalateDeps,
  requestId: string,
  taskToken: string,
  group: string,
): Promise<void> {
  const channel = Object.hasOwn(deps.config.approverGroups, group)
    ? deps.config.approverGroups[group]?.channel
    : undefined;
  if (!channel) throw new Error(`escalation group "${group}" is not configured`);
  const request = await storeTaskToken(deps, requestId, taskToken, (current) =>
    current.taskToken === taskToken ? undefined : escalated(current, taskToken, group, deps.clock.now()),
  );
  if (!request) return;
  const posted = await postOnce(deps, requestId, escalationMessage, channel);
  if (posted.status !== 'PENDING') return closeLateMessage(deps, posted);
  await deps.notifier.updateMessage(posted);
}
