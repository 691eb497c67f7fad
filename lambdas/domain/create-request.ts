import type { ApprovalPolicy } from '../ports/approval-policy';
import type { Clock } from '../ports/clock';
import type { RequestStore } from '../ports/request-store';
import type { Workflow } from '../ports/workflow';
import type { ApprovalRequest } from './approval-request';
import { StepUpError } from './errors';
import { newBindingCode, newRequestId } from './ids';
import {
  optionalInteger,
  optionalString,
  rejectUnknownFields,
  requireObject,
  requireString,
} from './validation';

/** Seconds an agent should wait between polls of `/v1/token`. */
export const POLL_INTERVAL_SECONDS = 5;

/** Upper bound on any requested token lifetime, whatever the policy says. */
export const MAX_TOKEN_TTL_SECONDS = 3600;

const FIELDS = [
  'action',
  'resource',
  'audience',
  'justification',
  'on_behalf_of',
  'requested_ttl_seconds',
  'context',
] as const;

/** A validated `POST /v1/requests` body. */
export interface CreateRequestInput {
  readonly action: string;
  readonly resource: string;
  readonly audience: string;
  readonly justification: string;
  readonly onBehalfOf?: string;
  readonly requestedTtlSeconds?: number;
}

/**
 * Validates the agent's body. Agent text is untrusted: bounded, no control or bidi characters.
 * @throws StepUpError `invalid_request` naming the field
 */
export function parseCreateRequest(raw: unknown): CreateRequestInput {
  const body = requireObject(raw, 'request body');
  rejectUnknownFields(body, FIELDS);
  if (body.context !== undefined) requireObject(body.context, 'context');
  return {
    action: requireString(body, 'action', {
      max: 128,
      pattern: /^[A-Za-z][A-Za-z0-9-]*:[A-Za-z][A-Za-z0-9_.-]*$/,
      hint: 'service:Verb, e.g. db:DropTable',
    }),
    resource: requireString(body, 'resource', { max: 1024 }),
    audience: requireString(body, 'audience', {
      max: 256,
      pattern: /^[\x21-\x7e]+$/,
      hint: 'a resource server id without spaces',
    }),
    justification: requireString(body, 'justification', { max: 2000, multiline: true }),
    onBehalfOf: optionalString(body, 'on_behalf_of', { max: 256 }),
    requestedTtlSeconds: optionalInteger(body, 'requested_ttl_seconds', 1, MAX_TOKEN_TTL_SECONDS),
  };
}

/** The agent-facing answer to a create. */
export interface CreatedRequest {
  readonly auth_req_id: string;
  readonly status: 'pending';
  readonly expires_in: number;
  readonly interval: number;
  readonly binding_code: string;
}

/** Ports the create use case needs. */
export interface CreateRequestDeps {
  readonly store: RequestStore;
  readonly workflow: Workflow;
  readonly policy: ApprovalPolicy;
  readonly clock: Clock;
}

/**
 * Records a PENDING request and starts its approval workflow.
 * @throws StepUpError `temporarily_unavailable` if the workflow cannot start (the request is then closed as expired)
 */
export async function createRequest(
  deps: CreateRequestDeps,
  agent: string,
  input: CreateRequestInput,
): Promise<CreatedRequest> {
  const decision = deps.policy.decide({ agent, ...input });
  const { requirements } = decision;
  const now = deps.clock.now();
  const request: ApprovalRequest = {
    id: newRequestId(),
    agent,
    action: input.action,
    resource: input.resource,
    audience: input.audience,
    justification: input.justification,
    onBehalfOf: input.onBehalfOf,
    bindingCode: newBindingCode(),
    requestedTtlSeconds: Math.min(
      input.requestedTtlSeconds ?? requirements.maxTokenTtlSeconds,
      requirements.maxTokenTtlSeconds,
    ),
    requirements,
    status: 'PENDING',
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + requirements.approvalTimeoutSeconds * 1000).toISOString(),
    votes: [],
    events: [
      {
        type: 'requested',
        at: now.toISOString(),
        actor: `agent:${agent}`,
        detail: { action: input.action, resource: input.resource, policy: requirements.policy },
      },
    ],
    version: 1,
  };
  await deps.store.create(request);
  try {
    await deps.workflow.start({
      request_id: request.id,
      approval_timeout_seconds: requirements.approvalTimeoutSeconds,
    });
  } catch (error) {
    await deps.store.save({
      ...request,
      status: 'EXPIRED',
      decidedAt: deps.clock.now().toISOString(),
      events: [
        ...request.events,
        {
          type: 'expired',
          at: deps.clock.now().toISOString(),
          actor: 'stepup',
          detail: { cause: 'workflow_start_failed' },
        },
      ],
      version: 2,
    });
    throw new StepUpError(
      'temporarily_unavailable',
      `could not start the approval workflow: ${(error as Error).name}`,
    );
  }
  return {
    auth_req_id: request.id,
    status: 'pending',
    expires_in: requirements.approvalTimeoutSeconds,
    interval: POLL_INTERVAL_SECONDS,
    binding_code: request.bindingCode,
  };
}
