import type { AgentProfile } from '../domain/agents/agent-registry';
import type { AgentHistory } from '../domain/agents/agent-history';
import type { HistoryLeaf } from '../domain/agents/history-use';
import type { ApprovalRequirements } from '../domain/requests/approval-request';
import type { LogOnlyPolicy } from './policy-evaluator';

/** What the policy is asked about. */
export interface PolicyQuestion {
  readonly agent: string;
  /**
   * Who the agent is (the registry): `decide()` looks it up by `agent` in the config when absent, so
   * only a policy test or a what-if question sets it.
   */
  readonly agentProfile?: AgentProfile;
  readonly action: string;
  readonly resource: string;
  readonly audience: string;
  readonly onBehalfOf?: string;
  /** True only when the human was proven with their own token. */
  readonly humanVerified: boolean;
  readonly requestedTtlSeconds: number;
  /** Agent-reported risk signals (untrusted). */
  readonly signals: Readonly<Record<string, string>>;
  /** The agent's past (`context.history`). @default an agent with no past */
  readonly history?: AgentHistory;
}

/** The decision the enforced policies make. */
export type EnforcedDecision =
  | {
      readonly kind: 'auto_approve';
      /** The permit policies that allowed it. */
      readonly policies: readonly string[];
      readonly maxTokenTtlSeconds: number;
    }
  | { readonly kind: 'step_up'; readonly requirements: ApprovalRequirements }
  | {
      readonly kind: 'deny';
      /** The forbid policies that decided it; empty when nothing permits it. */
      readonly policies: readonly string[];
      readonly reason: string;
    };

/**
 * What the `@mode("log_only")` policies would have done had they been enforced: present only when
 * one of them determines that would-be decision. It never changes the decision; it is recorded.
 */
export interface LogOnlyVerdict {
  /** The log-only policies that determine the would-be decision, by id. */
  readonly policies: readonly LogOnlyPolicy[];
  /** The decision with the log-only policies enforced. */
  readonly decision: EnforcedDecision;
}

/** The policy's answer: the enforced decision, and what log-only policies would have decided. */
export type PolicyDecision = EnforcedDecision & { readonly logOnly?: LogOnlyVerdict };

/** Decides what a request needs: alone, with whose approval, or never. */
export interface ApprovalPolicy {
  /** Every action the policy schema declares, sorted: a request for any other is malformed. */
  readonly actions: readonly string[];
  /**
   * The leaves of `context.history` the policies read, in the history's order: only these need to
   * be read for a question (none: no read at all); the others can change no decision.
   */
  readonly historyUse: readonly HistoryLeaf[];
  decide(question: PolicyQuestion): PolicyDecision;
}
