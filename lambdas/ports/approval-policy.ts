import type { ApprovalRequirements } from '../domain/approval-request';

/** What the policy is asked about. */
export interface PolicyQuestion {
  readonly agent: string;
  readonly action: string;
  readonly resource: string;
  readonly audience: string;
  readonly onBehalfOf?: string;
  /** True only when the human was proven with their own token. */
  readonly humanVerified: boolean;
  readonly requestedTtlSeconds: number;
  /** Agent-reported risk signals (untrusted). */
  readonly signals: Readonly<Record<string, string>>;
}

/** The policy's answer. */
export type PolicyDecision =
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

/** Decides what a request needs: alone, with whose approval, or never. */
export interface ApprovalPolicy {
  decide(question: PolicyQuestion): PolicyDecision;
}
