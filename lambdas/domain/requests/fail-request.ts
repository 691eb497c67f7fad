import type { Clock } from '../../ports/clock';
import type { RequestStore } from '../../ports/request-store';
import type { ApprovalRequest } from './approval-request';
import { updateRequest } from './update-request';

/**
 * The error name the audit trail keeps, as Step Functions reports it (`States.TaskFailed`,
 * `Lambda.ServiceException`, a function's error type). Anything else is recorded as `unknown`: the
 * value comes from whatever a failing step threw, and the trail must hold a name, not a message.
 */
const ERROR_NAME = /^[A-Za-z][\w.-]{0,99}$/;

/** `raw` if it looks like an error name, else `unknown`. */
export function auditableErrorName(raw: unknown): string {
  return typeof raw === 'string' && ERROR_NAME.test(raw) ? raw : 'unknown';
}

/**
 * Whether the workflow can still owe the request something: a decision (PENDING) or a grant
 * (APPROVED without one: only a request approved by an older deployment, whose workflow had an
 * IssueGrant step; the reconciler grants it).
 */
export function awaitsWorkflow(request: ApprovalRequest): boolean {
  return request.status === 'PENDING' || (request.status === 'APPROVED' && !request.grant);
}

/** Result of {@link failRequest}. */
export interface FailResult {
  /** The request's status after the step: FAILED, or the terminal status it already had. */
  readonly status: ApprovalRequest['status'];
  /** Whether this call moved it to FAILED. */
  readonly changed: boolean;
}

/**
 * Workflow step `RecordFailure`: the step that should have decided the request (Expire) failed for
 * good. With one conditional write a still-pending request becomes FAILED (nothing was granted, and
 * nothing can be any more) with a `failed` audit event naming the error. A request that already has
 * its decision is left as it is: an approval never fails after the fact (one from an older
 * deployment that still lacks its grant is granted by the reconciler, not failed).
 * @param errorName the failed step's error name (`$.failure.Error`), never its cause or stack
 */
export async function failRequest(
  deps: { readonly store: RequestStore; readonly clock: Clock },
  requestId: string,
  errorName: unknown,
): Promise<FailResult> {
  const { request, changed } = await updateRequest(deps.store, requestId, (current) => {
    if (current.status !== 'PENDING') return undefined;
    return {
      ...current,
      status: 'FAILED',
      events: [
        ...current.events,
        {
          type: 'failed',
          at: deps.clock.now().toISOString(),
          actor: 'workflow',
          detail: { error: auditableErrorName(errorName), previous_status: current.status.toLowerCase() },
        },
      ],
    };
  });
  return { status: request.status, changed };
}
