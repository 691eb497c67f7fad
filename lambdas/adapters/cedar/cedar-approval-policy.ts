import type { StepUpConfig } from '../../domain/config';
import { approverGroupsLabel } from '../../domain/approval-request';
import { combineRequirements, eligibleApprovers, tokenTtlCap } from '../../domain/combine-requirements';
import { isUserGroup } from '../../domain/user-groups';
import { StepUpError } from '../../domain/errors';
import type { ApprovalPolicy, PolicyDecision, PolicyQuestion } from '../../ports/approval-policy';
import { cedar } from './cedar-wasm';
import type { LoadedPolicySet } from './policy-set-loader';

let prepared = 0;

type CedarContext = Record<string, unknown>;

/**
 * {@link ApprovalPolicy} on Cedar. The policy set and schema are pre-parsed once (per container),
 * then every request costs two evaluations at most:
 * `approved = false` allowing → auto-approve; else `approved = true` allowing → step-up with the
 * determining policies' requirements; else deny, naming the forbid policies that decided it.
 */
export class CedarApprovalPolicy implements ApprovalPolicy {
  private readonly policySetId: string;
  private readonly schemaName: string;

  constructor(
    private readonly set: LoadedPolicySet,
    private readonly config: StepUpConfig,
  ) {
    const id = `stepup-${++prepared}`;
    this.policySetId = `${id}-policies`;
    this.schemaName = `${id}-schema`;
    const policies = cedar.preparsePolicySet(this.policySetId, {
      staticPolicies: Object.fromEntries(set.policies.map((p) => [p.id, p.text])),
    });
    const schema = cedar.preparseSchema(this.schemaName, set.schema);
    if (policies.type === 'failure' || schema.type === 'failure') {
      throw new Error('the policy set or schema failed to parse after validation');
    }
  }

  decide(question: PolicyQuestion): PolicyDecision {
    if (!this.set.actions.has(question.action)) {
      return {
        kind: 'deny',
        policies: [],
        reason: `${question.action} is not an action the policy schema declares`,
      };
    }
    const alone = this.evaluate(question, false);
    if (alone.allowed) {
      return {
        kind: 'auto_approve',
        policies: [...alone.determining].sort(),
        maxTokenTtlSeconds: tokenTtlCap(this.annotationsOf(alone.determining), this.config.defaults),
      };
    }
    const withApproval = this.evaluate(question, true);
    if (withApproval.allowed) {
      const requirements = combineRequirements(
        this.annotationsOf(withApproval.determining),
        this.config.defaults,
      );
      const eligible = eligibleApprovers(requirements, this.config);
      // Members of Slack user groups are only known to Slack; with one involved, let Slack decide.
      const groups = requirements.approverGroups.flat().map((name) => this.config.approverGroups[name]);
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

  private annotationsOf(ids: readonly string[]) {
    return this.set.policies.filter((p) => ids.includes(p.id)).map((p) => p.annotations);
  }

  private evaluate(question: PolicyQuestion, approved: boolean): { allowed: boolean; determining: string[] } {
    const environment = question.resource.includes('/') ? (question.resource.split('/')[0] ?? '') : '';
    const context: CedarContext = {
      approved,
      human_verified: question.humanVerified,
      requested_ttl_seconds: question.requestedTtlSeconds,
      signals: question.signals,
      ...(question.onBehalfOf
        ? { on_behalf_of: { __entity: { type: 'Human', id: question.onBehalfOf } } }
        : {}),
    };
    const answer = this.authorize({
      principal: { type: 'Agent', id: question.agent },
      action: { type: 'Action', id: question.action },
      resource: { type: 'Resource', id: question.resource },
      context: context as Parameters<typeof cedar.statefulIsAuthorized>[0]['context'],
      preparsedPolicySetId: this.policySetId,
      preparsedSchemaName: this.schemaName,
      validateRequest: true,
      entities: [
        {
          uid: { type: 'Resource', id: question.resource },
          attrs: { name: question.resource, environment, audience: question.audience },
          parents: [],
        },
        { uid: { type: 'Agent', id: question.agent }, attrs: {}, parents: [] },
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
