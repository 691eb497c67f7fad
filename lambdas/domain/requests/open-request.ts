import type { ApprovalRequest } from './approval-request';
import { awaitsWorkflow } from './fail-request';

/**
 * Whether the operator kill switch still has something to stop: a pending request (to cancel), or
 * an approval whose grant is neither used nor revoked (to revoke; an approval still waiting for its
 * grant is revoked before the grant exists). Every other request is out of its reach.
 */
export function killable(request: ApprovalRequest): boolean {
  if (request.status === 'PENDING') return true;
  return request.status === 'APPROVED' && !request.consumedAt && !request.revokedAt;
}

/**
 * Whether the request's workflow had not finished: not decided, decided but not granted, a post
 * begun but not recorded, or its Slack message or digest entry not yet updated with the outcome. A
 * restart resumes these and the reconciler completes them.
 */
export function workflowUnfinished(request: ApprovalRequest): boolean {
  if (awaitsWorkflow(request)) return true;
  if (request.paging || request.escalation?.paging) return true;
  return shownToApprovers(request) && !request.events.some((e) => e.type === 'outcome_notified');
}

/** Whether approvers were shown the request: its own Slack message, or an entry in a digest. */
export function shownToApprovers(request: ApprovalRequest): boolean {
  return Boolean(request.slackMessage) || request.digest?.page !== undefined;
}

/**
 * Open: something can still happen to the request that an operation must find without reading
 * history (the kill switch, a restart). A request is open from creation until it is neither
 * {@link killable} nor {@link workflowUnfinished}, and once closed it never opens again.
 */
export function isOpen(request: ApprovalRequest): boolean {
  return killable(request) || workflowUnfinished(request);
}
