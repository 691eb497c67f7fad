import type { EnforcedDecision, PolicyDecision } from '../../ports/approval-policy';

/** Which of the three outcomes a decision is. */
export type DecisionKind = EnforcedDecision['kind'];

/**
 * A policy decision as JSON, in the API's words (the requirement names of `GET /v1/requests/{id}`):
 * what `stepup policy test` compares expectations with and what the AuthZEN answers carry. Fields
 * that do not apply to the outcome are absent.
 */
export interface DecisionView {
  readonly decision: DecisionKind;
  /** The determining policies: the permits that allowed it, else the forbids (none: nothing permits). */
  readonly policies: readonly string[];
  /** Step-up: an approver must be in one group of every set. */
  readonly approver_groups?: readonly (readonly string[])[];
  readonly quorum?: number;
  readonly approval_timeout_seconds?: number;
  /** Step-up: who is paged when the timeout passes; `null` for nobody. */
  readonly escalate_to?: string | null;
  /** Auto-approve and step-up: the longest token lifetime. */
  readonly max_token_ttl_seconds?: number;
  /** Deny: why, in words. */
  readonly reason?: string;
}

/** The view of the enforced part of a decision. */
export function decisionView(decision: EnforcedDecision): DecisionView {
  switch (decision.kind) {
    case 'auto_approve':
      return {
        decision: decision.kind,
        policies: decision.policies,
        max_token_ttl_seconds: decision.maxTokenTtlSeconds,
      };
    case 'step_up': {
      const r = decision.requirements;
      return {
        decision: decision.kind,
        policies: r.policies,
        approver_groups: r.approverGroups,
        quorum: r.quorum,
        approval_timeout_seconds: r.approvalTimeoutSeconds,
        escalate_to: r.escalateTo ?? null,
        max_token_ttl_seconds: r.maxTokenTtlSeconds,
      };
    }
    case 'deny':
      return { decision: decision.kind, policies: decision.policies, reason: decision.reason };
  }
}

/** What the `@mode("log_only")` policies would have decided, as JSON; `null` when none took part. */
export interface LogOnlyView {
  /** The log-only policies that determine the would-be decision. */
  readonly policies: readonly string[];
  readonly decision: DecisionKind;
}

/** The log-only part of a decision. */
export function logOnlyView(decision: PolicyDecision): LogOnlyView | null {
  if (!decision.logOnly) return null;
  return { policies: decision.logOnly.policies.map((p) => p.id), decision: decision.logOnly.decision.kind };
}
