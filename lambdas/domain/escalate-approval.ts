import type { ApprovalNotifier } from '../ports/approval-notifier';
import type { Clock } from '../ports/clock';
import type { RequestStore } from '../ports/request-store';
import type { ApprovalRequest } from './approval-request';
import type { StepUpConfig } from './config';
import { updateRequest } from './update-request';

/** Ports escalation needs. */
export interface EscalateDeps {
  readonly store: RequestStore;
  readonly notifier: ApprovalNotifier;
  readonly config: StepUpConfig;
  readonly clock: Clock;
}

/**
 * Workflow step `Escalate`: the approval window passed with nobody deciding. The escalation group
 * joins every approver set, the deadline moves one window on, the new task token is stored, and
 * only then is the group paged in its channel (the first message is updated to say so). Retried
 * steps do not page twice. A request decided meanwhile is left alone; the step's timeout routes the
 * execution on.
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
  const { request } = await updateRequest(deps.store, requestId, (current) => {
    if (current.status !== 'PENDING' || current.taskToken === taskToken) return undefined;
    const now = deps.clock.now();
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
  });
  if (request.status !== 'PENDING' || !request.escalation || request.escalation.message) return;
  const message = await deps.notifier.postApprovalRequest(request, channel);
  const posted: ApprovalRequest = await updateRequest(deps.store, requestId, (current) =>
    current.escalation && !current.escalation.message
      ? { ...current, escalation: { ...current.escalation, message } }
      : undefined,
  ).then((r) => r.request);
  await deps.notifier.updateMessage(posted);
}
