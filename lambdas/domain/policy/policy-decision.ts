import type {
  ApprovalPolicy,
  EnforcedDecision,
  PolicyDecision,
  PolicyQuestion,
} from '../../ports/approval-policy';
import type { PolicyEvaluator } from '../../ports/policy-evaluator';
import { approverGroupsLabel } from '../requests/approval-request';
import { policyPrincipal } from './policy-principal';
import { sharingEvaluations } from './shared-evaluations';
import { combineRequirements, eligibleApprovers, tokenTtlCap } from './combine-requirements';
import type { StepUpConfig } from '../config/config';
import { isUserGroup } from '../votes/user-groups';

/**
 * The three-way decision from two evaluations: `approved = false` allowing → auto-approve; else
 * `approved = true` allowing → step-up with the determining policies' requirements (denied when the
 * approvers who qualify can never reach the quorum); else deny, naming the forbid policies that
 * decided it. Only enforced policies decide. When the set has `@mode("log_only")` policies, the
 * same decision is made a second time with them enforced, and `logOnly` says what they would have
 * decided whenever one of them determines that would-be decision.
 * @example
 * decide(evaluator, config, question).kind // 'auto_approve' | 'step_up' | 'deny'
 */
export function decide(
  evaluator: PolicyEvaluator,
  config: StepUpConfig,
  asked: PolicyQuestion,
): PolicyDecision {
  const question: PolicyQuestion = { ...asked, agentProfile: policyPrincipal(config, asked) };
  if (evaluator.logOnlyPolicies.length === 0) return decideOver(evaluator, config, question, false);
  // The would-be decision first: the enforced one then reuses its evaluations where they agree.
  const shared = sharingEvaluations(evaluator, question);
  const wouldBe = decideOver(shared, config, question, true);
  const decision = decideOver(shared, config, question, false);
  const determining = new Set(decidingPolicies(wouldBe));
  const policies = evaluator.logOnlyPolicies.filter((p) => determining.has(p.id));
  return policies.length > 0 ? { ...decision, logOnly: { policies, decision: wouldBe } } : decision;
}

/** The policies that determine `decision`: the permits that allowed it, else the forbids. */
export function decidingPolicies(decision: EnforcedDecision): readonly string[] {
  return decision.kind === 'step_up' ? decision.requirements.policies : decision.policies;
}

function decideOver(
  evaluator: PolicyEvaluator,
  config: StepUpConfig,
  question: PolicyQuestion,
  withLogOnly: boolean,
): EnforcedDecision {
  if (!evaluator.declaresAction(question.action)) {
    return {
      kind: 'deny',
      policies: [],
      reason: `${question.action} is not an action the policy schema declares`,
    };
  }
  const alone = evaluator.evaluate(question, false, withLogOnly);
  if (alone.allowed) {
    return {
      kind: 'auto_approve',
      policies: [...alone.determining].sort(),
      maxTokenTtlSeconds: tokenTtlCap(alone.annotations, config.defaults),
    };
  }
  const withApproval = evaluator.evaluate(question, true, withLogOnly);
  if (withApproval.allowed) {
    const requirements = combineRequirements(withApproval.annotations, config.defaults);
    const eligible = eligibleApprovers(requirements, config);
    // Members of Slack user groups are only known to Slack; with one involved, let Slack decide.
    const groups = requirements.approverGroups.flat().map((name) => config.approverGroups[name]);
    const countable = !groups.some((group) => group?.members.some(isUserGroup));
    if (countable && eligible.length < requirements.quorum) {
      // Paging people who can never reach the quorum would only end in expiry; say so now.
      return {
        kind: 'deny',
        policies: [...requirements.policies],
        reason: `policies ${requirements.policies.join(', ')} need ${requirements.quorum} approvers from ${approverGroupsLabel(requirements)}, and only ${eligible.length} people qualify`,
      };
    }
    return { kind: 'step_up', requirements };
  }
  const forbids = [...new Set([...alone.determining, ...withApproval.determining])].sort();
  return {
    kind: 'deny',
    policies: forbids,
    reason:
      forbids.length > 0
        ? `forbidden by policy ${forbids.map((id) => `"${id}"`).join(', ')}`
        : 'no policy permits this action on this resource',
  };
}

/** The {@link ApprovalPolicy} that decides with `evaluator` under `config`. */
export function approvalPolicy(evaluator: PolicyEvaluator, config: StepUpConfig): ApprovalPolicy {
  return {
    actions: evaluator.actions,
    historyUse: evaluator.historyUse,
    decide: (question) => decide(evaluator, config, question),
  };
}
