import type { HistoryLeaf } from '../domain/agents/history-use';
import type { PolicyAnnotations } from '../domain/policy/policy-annotations';
import type { PolicyQuestion } from './approval-policy';

/** One evaluation of the policy set: allowed or not, and the policies that determined it. */
export interface PolicyEvaluation {
  readonly allowed: boolean;
  /** The determining policies: the permits that allowed it, else the forbids that denied it (if any). */
  readonly determining: readonly string[];
  /** The annotations of the determining policies, in the same order. */
  readonly annotations: readonly PolicyAnnotations[];
}

/**
 * The policy engine, asked one question at a time: which policies permit (with which annotations)
 * when the request is taken as already approved by humans or not. The decision built from the two
 * answers is domain code (`domain/policy/policy-decision.ts`).
 */
export interface PolicyEvaluator {
  /** Whether the policy schema declares `action` at all. */
  declaresAction(action: string): boolean;
  /** Every action the policy schema declares, sorted. */
  readonly actions: readonly string[];
  /** The policies annotated `@mode("log_only")`: evaluated only when asked to, never deciding. */
  readonly logOnlyPolicies: readonly LogOnlyPolicy[];
  /** The leaves of `context.history` the policies read: the rest of a question's history is unused. */
  readonly historyUse: readonly HistoryLeaf[];
  /**
   * Evaluates `question` with `context.approved = approved`, over the enforced policies only, or
   * with the log-only ones included as if they were enforced (what they would decide).
   * @throws StepUpError `invalid_request` when the question does not fit the policy schema
   */
  evaluate(question: PolicyQuestion, approved: boolean, withLogOnly?: boolean): PolicyEvaluation;
}

/** One `@mode("log_only")` policy. */
export interface LogOnlyPolicy {
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
}
