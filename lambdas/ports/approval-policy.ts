import type { ApprovalRequirements } from '../domain/approval-request';

/** What the policy is asked about. */
export interface PolicyQuestion {
  readonly agent: string;
  readonly action: string;
  readonly resource: string;
  readonly audience: string;
  readonly onBehalfOf?: string;
}

/** The policy's answer: today always step-up; Cedar adds auto-approve and deny. */
export type PolicyDecision = { readonly kind: 'step_up'; readonly requirements: ApprovalRequirements };

/** Decides what a request needs. The seam Cedar policies plug into. */
export interface ApprovalPolicy {
  decide(question: PolicyQuestion): PolicyDecision;
}
