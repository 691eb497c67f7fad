import type { RequestStore } from '../../ports/request-store';
import { approvers, auditTrail, type ApprovalRequest } from './approval-request';
import { correlationTrail } from '../audit/correlation-trail';
import { StepUpError } from '../errors';
import { traceClaim } from './trace';
import { REQUEST_ID_PATTERN } from '../ids';

/** What `GET /v1/requests/{id}` shows the requesting agent. Never the task token. */
export function requestView(request: ApprovalRequest): Record<string, unknown> {
  return {
    auth_req_id: request.id,
    status: request.status.toLowerCase(),
    action: request.action,
    resource: request.resource,
    audience: request.audience,
    justification: request.justification,
    parameters: request.parameters ? (JSON.parse(request.parameters.canonical) as unknown) : undefined,
    parameters_sha256: request.parameters?.sha256,
    on_behalf_of: request.onBehalfOf,
    binding_code: request.bindingCode,
    created_at: request.createdAt,
    expires_at: request.expiresAt,
    policy_outcome: request.policyOutcome,
    requirements: {
      approver_groups: request.requirements.approverGroups,
      quorum: request.requirements.quorum,
      policies: request.requirements.policies,
      max_token_ttl_seconds: request.requirements.maxTokenTtlSeconds,
      escalate_to: request.requirements.escalateTo,
      description: request.requirements.description,
    },
    approvers: approvers(request),
    decided_at: request.decidedAt,
    denial_reason: request.denialReason,
    token_delivered: request.delivery !== undefined,
    token_used: request.consumedAt !== undefined,
    ...traceClaim(request.trace),
    events: auditTrail(request),
    audit_head: request.auditHead,
    trail: correlationTrail(request),
  };
}

/**
 * The request, for its own agent only; anyone else gets `not_found` (existence is not revealed).
 */
export async function getRequestView(
  store: RequestStore,
  agent: string,
  id: string,
): Promise<Record<string, unknown>> {
  const request = REQUEST_ID_PATTERN.test(id) ? await store.get(id) : undefined;
  if (!request || request.agent !== agent)
    throw new StepUpError('not_found', 'no such request for this agent');
  return requestView(request);
}
