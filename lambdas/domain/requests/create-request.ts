import type { AgentHistoryStore } from '../../ports/agent-history-store';
import type { PagingReadiness } from '../../ports/paging-readiness';
import type { ApprovalPolicy, PolicyDecision } from '../../ports/approval-policy';
import { systemClock, type Clock } from '../../ports/clock';
import type { HumanVerifier } from '../../ports/human-verifier';
import { DuplicateRequestError, type RequestStore } from '../../ports/request-store';
import type { Workflow } from '../../ports/workflow';
import { policyLabel, type ApprovalRequest, type ApprovalRequirements } from './approval-request';
import { withChain } from '../audit/audit-chain';
import { requireDeclaredAction } from './declared-action';
import { awsActionOn, type AwsTarget } from '../tokens/aws-target';
import { tellOwnersOutcome, type OwnerNoticeDeps } from '../agents/tell-owners';
import { StepUpError } from '../errors';
import { newBindingCode, newRequestId } from '../ids';
import { GRANT_PICKUP_SECONDS, withGrant } from '../tokens/issue-grant';
import type { BoundParameters } from './parameters';
import { logOnlyEvents } from '../policy/log-only-events';
import { presentMembers, type RequestTrace } from './trace';
import { admitRequest, type RequestGateDeps } from './request-gate';

/** Longest resource name accepted; shown in full to approvers, escaped, it still fits a Slack section. */
export const MAX_RESOURCE_LENGTH = 512;

/** Upper bound on any requested token lifetime, whatever the policy says. */
export const MAX_TOKEN_TTL_SECONDS = 3600;

/** Seconds an agent should wait between polls of `/v1/token`. */
export const POLL_INTERVAL_SECONDS = 5;

/** What an agent asks for: a validated `POST /v1/requests` body (parsed in `lambdas/api/`). */
export interface CreateRequestInput {
  readonly action: string;
  readonly resource: string;
  readonly audience: string;
  readonly justification: string;
  readonly onBehalfOf?: string;
  readonly requestedTtlSeconds?: number;
  /** Risk signals from `context`; agent-supplied, so policies may only use them to ask for more. */
  readonly signals: Readonly<Record<string, string>>;
  /** The human's own OIDC id_token, proving `on_behalf_of`. */
  readonly subjectToken?: string;
  /** Thumbprint of the agent's DPoP public key (`dpop_jwk`): the token will be bound to it. */
  readonly dpopJkt?: string;
  /** The exact arguments the agent will send (`parameters`), canonicalised and digested. */
  readonly parameters?: BoundParameters;
  /** Where the request comes from (`trace`): recorded, shown and put into the token, never decided on. */
  readonly trace?: RequestTrace;
}

/** The agent-facing answer to a create (RFC 9126/CIBA-shaped). */
export interface CreatedRequest {
  readonly auth_req_id: string;
  readonly status: 'pending' | 'approved';
  readonly expires_in: number;
  readonly interval: number;
  readonly binding_code: string;
  /** Set when an identical pending request was joined instead (`request-gate.ts`). */
  readonly deduplicated?: true;
}

/** Ports the create use case needs. */
export interface CreateRequestDeps {
  readonly store: RequestStore;
  readonly workflow: Pick<Workflow, 'start'>;
  readonly policy: ApprovalPolicy;
  readonly clock: Clock;
  /** Verifies `subject_token`; without one configured, a subject_token is refused. */
  readonly humanVerifier?: HumanVerifier;
  /**
   * Audiences whose tokens are exchanged for AWS credentials (config `awsTargets`): a request for
   * one must name one IAM action and one exact ARN.
   * @default none
   */
  readonly awsTargets?: Readonly<Record<string, AwsTarget>>;
  /** The agent's history, for `context.history`. @default none: the policy sees an agent with no past */
  readonly history?: Pick<AgentHistoryStore, 'read'>;
  /** Duplicates and limits (config `limits`). @default none: every request is new and unlimited */
  readonly gate?: RequestGateDeps;
  /** Tells the agent's owners of a policy denial. @default nobody is told */
  readonly owners?: OwnerNoticeDeps;
  /** Whether approvers can be paged at all: asked before anything is stored. @default always */
  readonly paging?: PagingReadiness;
}

function requirementsOf(decision: PolicyDecision): ApprovalRequirements {
  if (decision.kind === 'step_up') return decision.requirements;
  return {
    approverGroups: [],
    quorum: 0,
    approvalTimeoutSeconds: 0,
    maxTokenTtlSeconds: decision.kind === 'auto_approve' ? decision.maxTokenTtlSeconds : 0,
    policies: decision.policies,
  };
}

/**
 * Who the agent acts for. With a `subject_token`, the human is proven by their own id_token (and
 * must match `on_behalf_of` if both are given); without one, `on_behalf_of` is only the agent's word.
 * @throws StepUpError `invalid_request` for a token that does not verify or names someone else
 */
async function verifiedHuman(
  deps: Pick<CreateRequestDeps, 'humanVerifier'>,
  input: PolicyAsk,
): Promise<{ onBehalfOf?: string; verified: boolean }> {
  if (!input.subjectToken) return { onBehalfOf: input.onBehalfOf, verified: false };
  if (!deps.humanVerifier) {
    throw new StepUpError(
      'invalid_request',
      'subject_token is not accepted: no human identity provider is configured',
    );
  }
  const human = await deps.humanVerifier.verify(input.subjectToken);
  if (!human)
    throw new StepUpError(
      'invalid_request',
      'subject_token is not a valid id_token from the human identity provider',
    );
  if (input.onBehalfOf && input.onBehalfOf.toLowerCase() !== human.id.toLowerCase()) {
    throw new StepUpError(
      'invalid_request',
      'on_behalf_of does not match the human the subject_token proves',
    );
  }
  return { onBehalfOf: human.id, verified: true };
}

/** What the policy is asked about a request: everything of it but the justification and the DPoP key. */
export type PolicyAsk = Omit<CreateRequestInput, 'justification' | 'dpopJkt' | 'trace'>;

/**
 * The policy's decision on a request, exactly as `createRequest` takes it: the AWS target check,
 * the proof of the human, then `decide`. Also what AuthZEN evaluations answer from, so both agree.
 * @throws StepUpError `invalid_request` for an action the policy schema does not declare, an AWS
 *   request the session policy could not express, or a subject_token that does not verify
 */
export async function askPolicy(
  deps: Pick<CreateRequestDeps, 'policy' | 'humanVerifier' | 'awsTargets' | 'history'> & { clock?: Clock },
  agent: string,
  input: PolicyAsk,
): Promise<{ human: { onBehalfOf?: string; verified: boolean }; decision: PolicyDecision }> {
  requireDeclaredAction(deps.policy, input.action);
  const target =
    deps.awsTargets && Object.hasOwn(deps.awsTargets, input.audience)
      ? deps.awsTargets[input.audience]
      : undefined;
  // Before anyone is asked: an approval the session policy could not express exactly is refused here.
  if (target) awsActionOn(input.audience, target, input.action, input.resource);
  const human = await verifiedHuman(deps, input);
  const now = (deps.clock ?? systemClock).now();
  const leaves = deps.policy.historyUse;
  const history =
    leaves.length > 0
      ? await deps.history?.read(agent, input.action, input.resource, now, leaves)
      : undefined;
  const decision = deps.policy.decide({
    agent,
    action: input.action,
    resource: input.resource,
    audience: input.audience,
    onBehalfOf: human.onBehalfOf,
    humanVerified: human.verified,
    requestedTtlSeconds: input.requestedTtlSeconds ?? 0,
    signals: input.signals,
    ...(history ? { history } : {}),
  });
  return { human, decision };
}

/** Stores a new request; if that fails, the limits it was counted against take it back. */
async function store(
  deps: Pick<CreateRequestDeps, 'store'>,
  request: ApprovalRequest,
  gate: { kind: 'admitted'; undo: () => Promise<void> } | undefined,
): Promise<void> {
  try {
    await deps.store.create(request);
  } catch (error) {
    // A duplicate id is a retry of a create that was stored (and counted): its counts stay.
    if (!(error instanceof DuplicateRequestError)) await gate?.undo();
    throw error;
  }
}

/**
 * Asks the policy, then records the request and acts on the answer:
 * - step-up: PENDING, and the approval workflow starts (answered pending);
 * - auto-approve: APPROVED with its grant, no workflow (answered approved; the token is ready at once);
 * - deny: DENIED and recorded, then `access_denied` naming the policy.
 * @throws StepUpError `access_denied` on deny; `temporarily_unavailable` if the workflow cannot start
 *   (the request is then closed as expired)
 */
export async function createRequest(
  deps: CreateRequestDeps,
  agent: string,
  input: CreateRequestInput,
  requestId: string = newRequestId(),
): Promise<CreatedRequest> {
  // A request nobody can be paged for would only expire silently: it is refused before anything is
  // stored. The check (in AWS a network call, the first in a new container) runs while the policy
  // decides; the no-op catch only keeps it from counting as unhandled should the decision fail first.
  const ready = deps.paging?.assertReady();
  ready?.catch(() => undefined);
  const { human, decision } = await askPolicy(deps, agent, input);
  await ready;
  const requirements = requirementsOf(decision);
  const now = deps.clock.now();
  const at = now.toISOString();
  const pending: ApprovalRequest = {
    id: requestId,
    agent,
    action: input.action,
    resource: input.resource,
    audience: input.audience,
    justification: input.justification,
    parameters: input.parameters,
    onBehalfOf: human.onBehalfOf,
    humanVerified: human.verified,
    dpopJkt: input.dpopJkt,
    trace: input.trace,
    bindingCode: newBindingCode(),
    requestedTtlSeconds: Math.min(
      input.requestedTtlSeconds ?? requirements.maxTokenTtlSeconds,
      requirements.maxTokenTtlSeconds,
    ),
    policyOutcome: decision.kind,
    requirements,
    status: 'PENDING',
    createdAt: at,
    expiresAt: new Date(now.getTime() + requirements.approvalTimeoutSeconds * 1000).toISOString(),
    votes: [],
    events: [
      {
        type: 'requested',
        at,
        actor: `agent:${agent}`,
        detail: {
          action: input.action,
          resource: input.resource,
          policy: policyLabel(requirements),
          outcome: decision.kind,
          ...(input.parameters ? { parameters_sha256: input.parameters.sha256 } : {}),
          // In the chained event, so the correlation is as tamper-evident as the action.
          ...presentMembers(input.trace),
        },
      },
      ...logOnlyEvents(decision, at),
    ],
    version: 1,
  };
  const response = {
    auth_req_id: pending.id,
    interval: POLL_INTERVAL_SECONDS,
    binding_code: pending.bindingCode,
  };
  const gate = deps.gate
    ? await admitRequest(deps.gate, pending, decision.kind === 'step_up', now)
    : undefined;
  if (gate?.kind === 'joined') {
    return {
      auth_req_id: gate.claim.requestId,
      status: 'pending',
      expires_in: Math.max(0, gate.claim.deadline - Math.floor(now.getTime() / 1000)),
      interval: POLL_INTERVAL_SECONDS,
      binding_code: gate.claim.bindingCode,
      deduplicated: true,
    };
  }

  if (decision.kind === 'deny') {
    const denied: ApprovalRequest = {
      ...pending,
      status: 'DENIED',
      decidedAt: at,
      denialReason: decision.reason,
      events: [
        ...pending.events,
        { type: 'denied', at, actor: 'policy', detail: { reason: decision.reason } },
      ],
    };
    await store(deps, withChain(denied, 0), gate);
    await tellOwnersOutcome(deps.owners, denied);
    throw new StepUpError('access_denied', decision.reason, {
      auth_req_id: pending.id,
      policies: [...decision.policies],
    });
  }

  if (decision.kind === 'auto_approve') {
    const approved: ApprovalRequest = {
      ...pending,
      status: 'APPROVED',
      decidedAt: at,
      events: [
        ...pending.events,
        { type: 'auto_approved', at, actor: 'policy', detail: { policy: policyLabel(requirements) } },
      ],
    };
    await store(deps, withChain(withGrant(approved, now), 0), gate);
    return { ...response, status: 'approved', expires_in: GRANT_PICKUP_SECONDS };
  }

  const stored = withChain(pending, 0);
  await store(deps, stored, gate);
  try {
    await deps.workflow.start({
      request_id: pending.id,
      approval_timeout_seconds: requirements.approvalTimeoutSeconds,
      ...(requirements.escalateTo ? { escalate_to: requirements.escalateTo } : {}),
    });
  } catch (error) {
    const failedAt = deps.clock.now().toISOString();
    const expired: ApprovalRequest = {
      ...stored,
      status: 'EXPIRED',
      decidedAt: failedAt,
      events: [
        ...stored.events,
        { type: 'expired', at: failedAt, actor: 'stepup', detail: { cause: 'workflow_start_failed' } },
      ],
      version: 2,
    };
    await deps.store.save(stored, withChain(expired, stored.events.length));
    throw new StepUpError(
      'temporarily_unavailable',
      `could not start the approval workflow: ${(error as Error).name}`,
    );
  }
  // With an escalation to come, the agent may wait through two approval windows.
  const windows = requirements.escalateTo ? 2 : 1;
  return { ...response, status: 'pending', expires_in: requirements.approvalTimeoutSeconds * windows };
}
