import type { PolicyQuestion } from '../../ports/approval-policy';
import type { PolicyEvaluation, PolicyEvaluator } from '../../ports/policy-evaluator';

/**
 * For one question, an evaluator that evaluates with the log-only policies included and answers
 * the enforced-only evaluation from that same answer whenever no log-only policy is among its
 * determining policies. That answer is the enforced one: Cedar's determining policies are, when it
 * allows, every satisfied permit (so a log-only policy not among them was a permit or forbid not
 * satisfied) and, when it denies, every satisfied forbid (a satisfied log-only permit cannot turn a
 * forbid's deny around); removing policies that were not satisfied changes neither the decision nor
 * its determining policies. So a decision with log-only policies costs one Cedar evaluation per
 * step, not two, unless a log-only policy actually determines it.
 */
export function sharingEvaluations(evaluator: PolicyEvaluator, question: PolicyQuestion): PolicyEvaluator {
  const logOnly = new Set(evaluator.logOnlyPolicies.map((policy) => policy.id));
  const withLogOnly = new Map<boolean, PolicyEvaluation>();
  const everyPolicy = (approved: boolean): PolicyEvaluation => {
    const known = withLogOnly.get(approved);
    if (known) return known;
    const answer = evaluator.evaluate(question, approved, true);
    withLogOnly.set(approved, answer);
    return answer;
  };
  return {
    actions: evaluator.actions,
    logOnlyPolicies: evaluator.logOnlyPolicies,
    historyUse: evaluator.historyUse,
    declaresAction: (action) => evaluator.declaresAction(action),
    evaluate(asked, approved, includeLogOnly = false) {
      if (asked !== question) return evaluator.evaluate(asked, approved, includeLogOnly);
      const every = everyPolicy(approved);
      if (includeLogOnly || !every.determining.some((id) => logOnly.has(id))) return every;
      return evaluator.evaluate(question, approved, false);
    },
  };
}
