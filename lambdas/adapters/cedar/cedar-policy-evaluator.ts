import { EMPTY_HISTORY } from '../../domain/agents/agent-history';
import { historyAt, type HistoryLeaf } from '../../domain/agents/history-use';
import { StepUpError } from '../../domain/errors';
import type { PolicyQuestion } from '../../ports/approval-policy';
import type { LogOnlyPolicy, PolicyEvaluation, PolicyEvaluator } from '../../ports/policy-evaluator';
import { agentAttributes } from './agent-attributes';
import { cedar } from './cedar-wasm';
import type { LoadedPolicy, LoadedPolicySet } from './policy-set-loader';

let prepared = 0;

type CedarContext = Record<string, unknown>;

/**
 * {@link PolicyEvaluator} on Cedar. The policy set and schema are pre-parsed once (per container):
 * the enforced policies as one set and, when there are `@mode("log_only")` policies, every policy as
 * a second (the enforced set then only when first asked); each evaluation is one `statefulIsAuthorized` call, answering the determining policies
 * (Cedar's `diagnostics.reason`) and their annotations. What the answers mean is
 * `domain/policy/policy-decision.ts`.
 */
export class CedarPolicyEvaluator implements PolicyEvaluator {
  readonly logOnlyPolicies: readonly LogOnlyPolicy[];
  readonly actions: readonly string[];
  /** Pre-parses the enforced policies on its first call; answers their set's id. */
  private readonly enforcedSet: () => string;
  private readonly everySetId: string;
  private readonly schemaName: string;
  readonly historyUse: readonly HistoryLeaf[];

  constructor(private readonly set: LoadedPolicySet) {
    const id = `stepup-${++prepared}`;
    this.everySetId = `${id}-with-log-only`;
    this.schemaName = `${id}-schema`;
    this.actions = [...set.actions].sort();
    this.historyUse = set.historyUse;
    const logOnly = set.policies.filter((p) => p.annotations.mode === 'log_only');
    this.logOnlyPolicies = logOnly.map(({ id: policy, effect }) => ({ id: policy, effect }));
    const enforced = set.policies.filter((p) => !logOnly.includes(p));
    this.enforcedSet = onceParsed(`${id}-policies`, enforced);
    // With log-only policies every decision is first made with them (`shared-evaluations.ts`), and
    // the enforced set alone is asked only when one of them determines it: that set, ~10 ms of a new
    // container's pre-parse, is parsed when first needed.
    if (logOnly.length > 0) onceParsed(this.everySetId, set.policies)();
    else this.enforcedSet();
    if (cedar.preparseSchema(this.schemaName, set.evaluationSchema).type === 'failure') {
      throw new Error('the schema failed to parse after validation');
    }
  }

  declaresAction(action: string): boolean {
    return this.set.actions.has(action);
  }

  evaluate(question: PolicyQuestion, approved: boolean, withLogOnly = false): PolicyEvaluation {
    const setId = withLogOnly && this.logOnlyPolicies.length > 0 ? this.everySetId : this.enforcedSet();
    const { allowed, determining } = this.evaluateOnce(question, approved, setId);
    const annotations = this.set.policies.filter((p) => determining.includes(p.id)).map((p) => p.annotations);
    return { allowed, determining, annotations };
  }

  /**
   * Cedar's evaluation. Text reaches it validated (well-formed, see `requireText`); should anything
   * still make the engine throw (it throws, rather than answering `failure`, on a lone surrogate),
   * that is the request's fault, not ours: a 400, never a 500.
   */
  private authorize(call: Parameters<typeof cedar.statefulIsAuthorized>[0]) {
    try {
      return cedar.statefulIsAuthorized(call);
    } catch {
      throw new StepUpError('invalid_request', 'the request could not be evaluated against the policies');
    }
  }

  private evaluateOnce(
    question: PolicyQuestion,
    approved: boolean,
    policySetId: string,
  ): { allowed: boolean; determining: string[] } {
    const environment = question.resource.includes('/') ? (question.resource.split('/')[0] ?? '') : '';
    const context: CedarContext = {
      approved,
      human_verified: question.humanVerified,
      requested_ttl_seconds: question.requestedTtlSeconds,
      signals: question.signals,
      // Only what the policies read: the evaluation schema declares nothing else (`evaluation-schema.ts`).
      ...(this.historyUse.length > 0
        ? { history: historyAt(question.history ?? EMPTY_HISTORY, this.historyUse) }
        : {}),
      ...(question.onBehalfOf
        ? { on_behalf_of: { __entity: { type: 'Human', id: question.onBehalfOf } } }
        : {}),
    };
    const answer = this.authorize({
      principal: { type: 'Agent', id: question.agent },
      action: { type: 'Action', id: question.action },
      resource: { type: 'Resource', id: question.resource },
      context: context as Parameters<typeof cedar.statefulIsAuthorized>[0]['context'],
      preparsedPolicySetId: policySetId,
      preparsedSchemaName: this.schemaName,
      validateRequest: true,
      entities: [
        {
          uid: { type: 'Resource', id: question.resource },
          attrs: { name: question.resource, environment, audience: question.audience },
          parents: [],
        },
        { uid: { type: 'Agent', id: question.agent }, attrs: agentAttributes(question), parents: [] },
        ...(question.onBehalfOf
          ? [{ uid: { type: 'Human', id: question.onBehalfOf }, attrs: {}, parents: [] }]
          : []),
      ],
    });
    if (answer.type === 'failure') {
      // The action is declared (checked above), so what failed is the agent-supplied context.
      // Cedar's message quotes the whole context, values included: raw input, never echoed.
      throw new StepUpError(
        'invalid_request',
        'context does not match the policy schema: send only the signals it declares, with the types it declares',
      );
    }
    return { allowed: answer.response.decision === 'allow', determining: answer.response.diagnostics.reason };
  }
}

/**
 * Pre-parses `policies` as Cedar's set `setId` on the first call, and answers `setId` on every call.
 * @throws Error when the set fails to parse (it was validated at synth: a packaging fault)
 */
function onceParsed(setId: string, policies: readonly LoadedPolicy[]): () => string {
  let parsed = false;
  return () => {
    if (!parsed) {
      const answer = cedar.preparsePolicySet(setId, {
        staticPolicies: Object.fromEntries(policies.map((p) => [p.id, p.text])),
      });
      if (answer.type === 'failure') throw new Error('the policy set failed to parse after validation');
      parsed = true;
    }
    return setId;
  };
}
