import type { PolicyQuestion } from '../../ports/approval-policy';
import type { PolicyEvaluator } from '../../ports/policy-evaluator';
import type { StepUpConfig } from '../config/config';
import {
  decisionView,
  logOnlyView,
  type DecisionKind,
  type DecisionView,
  type LogOnlyView,
} from '../votes/decision-view';
import { decide } from './policy-decision';

/**
 * What a case expects: the outcome, and any of the other fields of {@link DecisionView}. A field left
 * out is not compared, so a case pins down what it is about; `log_only: null` expects that no
 * log-only policy took part.
 */
export type PolicyExpectation = { readonly decision: DecisionKind } & Partial<
  Omit<DecisionView, 'decision'>
> & {
    readonly log_only?: LogOnlyView | null;
  };

/** One case of a policy test file: a question for the policies and the decision it must get. */
export interface PolicyTestCase {
  readonly name: string;
  /** Where the case is written, e.g. `policies/tests/payments.json#2`. */
  readonly source: string;
  readonly question: PolicyQuestion;
  readonly expect: PolicyExpectation;
}

/** What a case actually got: the decision, and what log-only policies would have decided. */
export type ActualDecision = DecisionView & { readonly log_only: LogOnlyView | null };

/** One field where the actual decision is not the expected one. */
export interface Mismatch {
  readonly field: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

/** The outcome of one case. */
export interface PolicyTestResult {
  readonly testCase: PolicyTestCase;
  /** Absent when the question could not be evaluated (see `error`). */
  readonly actual?: ActualDecision;
  /** Why the question could not be evaluated (it does not fit the policy schema). */
  readonly error?: string;
  readonly mismatches: readonly Mismatch[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Asks the policies the case's question through the same `decide()` as a request, and compares the
 * answer with the expectation, field by field.
 */
export function runPolicyTest(
  evaluator: PolicyEvaluator,
  config: StepUpConfig,
  testCase: PolicyTestCase,
): PolicyTestResult {
  let actual: ActualDecision;
  try {
    const decision = decide(evaluator, config, testCase.question);
    actual = { ...decisionView(decision), log_only: logOnlyView(decision) };
  } catch (error) {
    const message = (error as Error).message;
    return {
      testCase,
      error: message,
      mismatches: [{ field: 'decision', expected: testCase.expect.decision, actual: `error: ${message}` }],
    };
  }
  const mismatches: Mismatch[] = [];
  for (const [field, expected] of Object.entries(testCase.expect)) {
    const got = (actual as unknown as Record<string, unknown>)[field];
    if (!same(expected, got)) mismatches.push({ field, expected, actual: got });
  }
  return { testCase, actual, mismatches };
}
