import { runSimulation } from '@cloud-copilot/iam-simulate';
import {
  startStsStandIn,
  type RunningStsStandIn,
  type StsAuthorization,
} from '../../../local/aws/sts-stand-in';
import type { PolicyDocument } from './iam';
import type { AccountServices } from './json-service';
import type { RoleCredentials } from './principals';

/** A role outside the stack that sessions may be asked for, with the trust policy it carries. */
export interface TargetRole {
  readonly roleArn: string;
  readonly trustPolicy: PolicyDocument;
  /** @default 3600 */
  readonly maxSessionDuration?: number;
}

/** Does the role's trust policy allow the call? (Evaluated alone: for roles, STS requires it to.) */
async function trusted(role: TargetRole, request: StsAuthorization<RoleCredentials>): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal: request.caller.assumedRoleArn,
        action: request.action,
        resource: { resource: role.roleArn, accountId: role.roleArn.split(':')[4] ?? '' },
        contextVariables: { ...request.context },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: role.trustPolicy,
    },
    {},
  );
  return result.resultType !== 'error' && result.overallResult === 'Allowed';
}

/**
 * The account's STS: the shared Query-protocol stand-in, with IAM as AWS decides `AssumeRole` — the
 * caller's identity policies from the template must allow each action on the role, and the role's
 * trust policy must too — and every decision in the call log.
 */
export function startSts(
  services: AccountServices,
  roles: readonly TargetRole[],
): Promise<RunningStsStandIn> {
  const roleNamed = (arn: string) => roles.find((role) => role.roleArn === arn);
  return startStsStandIn<RoleCredentials>({
    region: services.region,
    callers: services.principals,
    maxSessionDuration: (arn) => roleNamed(arn)?.maxSessionDuration ?? 3600,
    authorize: async (request) => {
      const role = roleNamed(request.roleArn);
      const identity = await services.iam.authorize({
        principal: request.caller,
        action: request.action,
        resource: request.roleArn,
      });
      const allowed = identity.allowed && role !== undefined && (await trusted(role, request));
      services.callLog.record({
        principal: request.caller.assumedRoleArn,
        roleLogicalId: request.caller.roleLogicalId,
        service: 'sts',
        action: request.action,
        resource: request.roleArn,
        allowed,
        ...(allowed ? {} : { errorType: 'AccessDenied' }),
      });
      return allowed;
    },
  });
}
