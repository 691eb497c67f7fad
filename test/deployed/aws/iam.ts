import {
  runSimulation,
  runUnsafeSimulation,
  type EvaluationResult,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
import type { FakeAccount } from './account';
import type { RoleCredentials } from './principals';

/** An IAM policy document, resolved. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: unknown;
}

/** The outcome of one authorization. */
export interface IamDecision {
  readonly allowed: boolean;
  /** True when a Deny statement matched (AWS words the denial differently). */
  readonly explicitDeny: boolean;
}

/** One request to authorize: who, which action, on what. */
export interface IamRequest {
  readonly principal: RoleCredentials;
  /** e.g. `dynamodb:PutItem`. */
  readonly action: string;
  /** The resource ARN the service authorizes against. */
  readonly resource: string;
  /** The resource's own policy (a KMS key policy, say), resolved. @default none */
  readonly resourcePolicy?: PolicyDocument;
}

interface NamedPolicy {
  readonly name: string;
  readonly policy: PolicyDocument;
}

/**
 * Authorizes requests against the identity policies the template attaches to each role
 * (`AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` naming the role in `Roles`, the role's inline
 * `Policies` and customer managed `ManagedPolicyArns` from the same template), plus a resource
 * policy where the service has one, with `@cloud-copilot/iam-simulate`'s model of IAM's evaluation
 * logic (including KMS's rule that a key policy must allow the account or the principal).
 */
export class IamEvaluator {
  private readonly policiesByRole = new Map<string, readonly NamedPolicy[]>();

  constructor(private readonly account: FakeAccount) {}

  /** Decides `request` as IAM would for a principal of this account. */
  async authorize(request: IamRequest): Promise<IamDecision> {
    const simulation: Simulation = {
      request: {
        principal: request.principal.assumedRoleArn,
        action: request.action,
        resource: { resource: request.resource, accountId: this.account.env.account },
        contextVariables: {},
      },
      identityPolicies: this.identityPolicies(request.principal.roleLogicalId).map((p) => ({ ...p })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
    };
    const result = await runSimulation(simulation, {});
    let outcome: EvaluationResult;
    if (result.resultType !== 'error') outcome = result.overallResult;
    else if (result.errors.message === 'must.use.wildcard') {
      // The IAM reference lists states:SendTask* without resource types, yet Step Functions
      // authorizes a callback against the state machine's ARN (what CDK's grantTaskResponse grants;
      // aws/aws-cdk#8486 tested it). Evaluate the statements as AWS does, without that check.
      outcome = runUnsafeSimulation(simulation, {});
    } else {
      throw new Error(
        `IAM simulation of ${request.action} on ${request.resource} failed: ${result.errors.message}`,
      );
    }
    return { allowed: outcome === 'Allowed', explicitDeny: outcome === 'ExplicitlyDenied' };
  }

  /** The identity policies attached to a role, resolved through the account. */
  identityPolicies(roleLogicalId: string): readonly NamedPolicy[] {
    const known = this.policiesByRole.get(roleLogicalId);
    if (known) return known;
    const roleName = this.account.ref(roleLogicalId);
    const role = this.account.properties(roleLogicalId) as {
      Policies?: { PolicyName: string; PolicyDocument: PolicyDocument }[];
      ManagedPolicyArns?: string[];
    };
    const policies: NamedPolicy[] = (role.Policies ?? []).map((p) => ({
      name: p.PolicyName,
      policy: p.PolicyDocument,
    }));
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
      for (const logicalId of this.account.logicalIdsOfType(type)) {
        const properties = this.account.properties(logicalId) as {
          Roles?: string[];
          PolicyDocument: PolicyDocument;
        };
        if (properties.Roles?.includes(roleName))
          policies.push({ name: logicalId, policy: properties.PolicyDocument });
      }
    }
    for (const arn of role.ManagedPolicyArns ?? []) {
      const logicalId = this.account.findLogicalId(arn);
      if (!logicalId) {
        // An AWS managed policy's document is not in the template; guessing it would hide real gaps.
        throw new Error(`${roleLogicalId} attaches ${arn}, which is not defined in the template`);
      }
      const { PolicyDocument } = this.account.properties(logicalId) as { PolicyDocument: PolicyDocument };
      if (!policies.some((p) => p.name === logicalId))
        policies.push({ name: logicalId, policy: PolicyDocument });
    }
    this.policiesByRole.set(roleLogicalId, policies);
    return policies;
  }
}
