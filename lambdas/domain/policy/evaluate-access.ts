import type { Clock } from '../../ports/clock';
import type { AgentAdmission } from '../agents/agent-admission';
import { askPolicy, type CreateRequestDeps, type PolicyAsk } from '../requests/create-request';
import { decisionView } from '../votes/decision-view';
import { StepUpError } from '../errors';

/** One OpenID AuthZEN access evaluation in stepup's terms: may `subject` (an agent) do this? */
export interface AccessQuestion extends PolicyAsk {
  /** The agent's workload `sub` (AuthZEN `subject.id`). */
  readonly subject: string;
}

/**
 * The AuthZEN answer: `decision` is true only when the agent may act alone (auto-approve); the
 * `context` says what stepup would decide, in the words of `GET /v1/requests/{id}`, and where to ask.
 */
export interface AccessAnswer {
  readonly decision: boolean;
  readonly context: Readonly<Record<string, unknown>>;
}

/** AuthZEN `options.evaluations_semantic`: evaluate all, or stop at the first deny or permit. */
export const EVALUATIONS_SEMANTICS = ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'] as const;

/** One of {@link EVALUATIONS_SEMANTICS}. */
export type EvaluationsSemantic = (typeof EVALUATIONS_SEMANTICS)[number];

/** What answering AuthZEN evaluations needs: the decision path of `createRequest`, and who is admitted. */
export interface EvaluateAccessDeps extends Pick<
  CreateRequestDeps,
  'policy' | 'humanVerifier' | 'awsTargets' | 'history'
> {
  /** The time the history is read at. @default the system clock */
  readonly clock?: Clock;
  readonly admission: AgentAdmission;
  /** `POST` here to ask for the action for real (`<issuer>/v1/requests`). */
  readonly requestEndpoint: string;
}

async function answer(deps: EvaluateAccessDeps, question: AccessQuestion): Promise<AccessAnswer> {
  if (!deps.admission.admitsSub(question.subject)) {
    return {
      decision: false,
      context: { error: 'unknown_agent', error_description: 'the subject is not an admitted agent' },
    };
  }
  try {
    const { decision } = await askPolicy(deps, question.subject, question);
    const { decision: outcome, ...view } = decisionView(decision);
    const context = { policy_outcome: outcome, ...view };
    return outcome === 'deny'
      ? { decision: false, context }
      : {
          decision: outcome === 'auto_approve',
          context: { ...context, request_endpoint: deps.requestEndpoint },
        };
  } catch (error) {
    // A question the policies cannot take (context outside the schema, an unprovable human): this
    // evaluation is refused, the others of a batch still answered.
    if (!(error instanceof StepUpError)) throw error;
    return { decision: false, context: { error: error.code, error_description: error.message } };
  }
}

/**
 * Answers AuthZEN evaluations with what `createRequest` would decide, in order, stopping as
 * `semantic` says (the answer that stops it included). Nothing is created, stored or paged. An
 * agent may only ask about itself; a gateway (config `agents.gateways`) about any admitted agent.
 * @throws StepUpError `forbidden` when a non-gateway caller asks about another subject (nothing is evaluated)
 */
export async function evaluateAccess(
  deps: EvaluateAccessDeps,
  caller: string,
  questions: readonly AccessQuestion[],
  semantic: EvaluationsSemantic = 'execute_all',
): Promise<AccessAnswer[]> {
  if (!deps.admission.gateways.has(caller) && questions.some((q) => q.subject !== caller)) {
    throw new StepUpError(
      'forbidden',
      'subject.id must be the caller’s own workload identity; only a gateway (config agents.gateways) may ask about other agents',
    );
  }
  const answers: AccessAnswer[] = [];
  for (const question of questions) {
    const answered = await answer(deps, question);
    answers.push(answered);
    if (semantic === 'deny_on_first_deny' && !answered.decision) break;
    if (semantic === 'permit_on_first_permit' && answered.decision) break;
  }
  return answers;
}
