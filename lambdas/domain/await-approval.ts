import type { ApprovalNotifier } from '../ports/approval-notifier';
import type { Clock } from '../ports/clock';
import type { RequestStore } from '../ports/request-store';
import type { StepUpConfig } from './config';
import { updateRequest } from './update-request';

/** Ports the AwaitApproval step needs. */
export interface AwaitApprovalDeps {
  readonly store: RequestStore;
  readonly notifier: ApprovalNotifier;
  readonly config: StepUpConfig;
  readonly clock: Clock;
}

/**
 * First step of the workflow: remember the task token, THEN page the approvers. In that order a
 * click can never arrive before the backend can resume the workflow. If the request is no longer
 * pending nothing is posted; the step's timeout then routes the execution to its real outcome.
 */
export async function awaitApproval(
  deps: AwaitApprovalDeps,
  requestId: string,
  taskToken: string,
): Promise<void> {
  const stored = await updateRequest(deps.store, requestId, (current) =>
    current.status === 'PENDING' && current.taskToken !== taskToken ? { ...current, taskToken } : undefined,
  );
  const request = stored.request;
  if (request.status !== 'PENDING' || request.slackMessage) return;
  // The first group of the strictest policy is paged; its members can satisfy that policy.
  const groupName = request.requirements.approverGroups[0]?.[0] ?? '';
  const group = Object.hasOwn(deps.config.approverGroups, groupName)
    ? deps.config.approverGroups[groupName]
    : undefined;
  if (!group) throw new Error(`approver group "${groupName}" is not configured`);
  const message = await deps.notifier.postApprovalRequest(request, group.channel);
  await updateRequest(deps.store, requestId, (current) => ({
    ...current,
    slackMessage: message,
    events: [
      ...current.events,
      {
        type: 'notified',
        at: deps.clock.now().toISOString(),
        actor: 'workflow',
        detail: { group: groupName, channel: message.channel },
      },
    ],
  }));
}
