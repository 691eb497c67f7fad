import { describe, expect, it } from 'vitest';
import type { StepUpFunctionName } from '../../lib/handlers';
import { AWS_TARGET_ROLE_ARN, logicalIdOf, synthesized } from './template';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Whether an IAM action pattern (which may contain `*`/`?`) grants `action`. */
function grants(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return regex.test(action);
}

/** Every Allow statement in the template, keyed by the logical id of the role it is attached to. */
function statementsByRole(): Map<string, Statement[]> {
  const { template } = synthesized();
  const byRole = new Map<string, Statement[]>();
  const add = (role: string, statements: Statement[]) =>
    byRole.set(role, [...(byRole.get(role) ?? []), ...statements.filter((s) => s.Effect === 'Allow')]);

  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    add(id, []);
    for (const policy of role.Properties.Policies ?? []) add(id, policy.PolicyDocument.Statement);
  }
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    for (const ref of policy.Properties.Roles as { Ref: string }[])
      add(ref.Ref, policy.Properties.PolicyDocument.Statement);
  }
  return byRole;
}

describe('least privilege', () => {
  const { stack, template } = synthesized();
  const byRole = statementsByRole();
  const roleOf = (name: StepUpFunctionName): string => {
    const role = stack.approval.functions[name].role;
    if (!role) throw new Error(`${name} has no role`);
    return logicalIdOf(role);
  };
  const rolesAllowing = (action: string): string[] =>
    [...byRole]
      .filter(([, statements]) => statements.some((s) => list(s.Action).some((a) => grants(a, action))))
      .map(([role]) => role)
      .sort();
  const allows = (name: StepUpFunctionName, action: string): boolean =>
    rolesAllowing(action).includes(roleOf(name));

  it('lets only the vote paths (Slack, the passkey confirmation) and AwaitApproval (a decision made before its wait) answer task tokens', () => {
    for (const action of ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']) {
      expect(rolesAllowing(action), action).toEqual(
        [roleOf('awaitApproval'), roleOf('slackEvents'), roleOf('approvalConfirm')].sort(),
      );
    }
  });

  it('lets only the token endpoint sign', () => {
    expect(rolesAllowing('kms:Sign')).toEqual([roleOf('token')]);
  });

  it('gives introspection, the credentials exchange, JWKS and revocation the public key but not signing', () => {
    for (const name of ['introspect', 'credentialsAws', 'jwks', 'token', 'revoke'] as const) {
      expect(allows(name, 'kms:GetPublicKey'), name).toBe(true);
    }
    expect(allows('introspect', 'kms:Sign')).toBe(false);
    expect(allows('jwks', 'kms:Sign')).toBe(false);
    expect(allows('credentialsAws', 'kms:Sign')).toBe(false);
    expect(rolesAllowing('kms:GetPublicKey')).toEqual(
      [
        roleOf('introspect'),
        roleOf('credentialsAws'),
        roleOf('jwks'),
        roleOf('revoke'),
        roleOf('token'),
      ].sort(),
    );
  });

  it('lets only the credentials exchange assume a role, tag the session and set its source identity, and only on the configured target', () => {
    for (const action of ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']) {
      expect(rolesAllowing(action), action).toEqual([roleOf('credentialsAws')]);
    }
    const stsStatements = (byRole.get(roleOf('credentialsAws')) ?? []).filter((s) =>
      list(s.Action).some((a) => a.startsWith('sts:') && !a.startsWith('sts:GetCallerIdentity')),
    );
    expect(stsStatements.map((s) => s.Resource)).toEqual([AWS_TARGET_ROLE_ARN]);
  });

  it("lets only the create endpoints (requests, DTR token exchange) start executions, and only cancel, revoke, the reconciler and the owners' kill switch stop them", () => {
    expect(rolesAllowing('states:StartExecution')).toEqual([roleOf('createRequest'), roleOf('token')].sort());
    expect(rolesAllowing('states:StopExecution')).toEqual(
      [roleOf('cancelRequest'), roleOf('revoke'), roleOf('reconcile'), roleOf('slackEvents')].sort(),
    );
  });

  it('gives the Slack secret only to the functions that talk to Slack', () => {
    expect(rolesAllowing('secretsmanager:GetSecretValue')).toEqual(
      [
        roleOf('slackEvents'),
        roleOf('approvalConfirm'),
        roleOf('awaitApproval'),
        roleOf('notifyOutcome'),
        roleOf('cancelRequest'),
        roleOf('revoke'),
        roleOf('reconcile'),
        // A policy denial is told to the agent's owners in a Slack DM (both create endpoints).
        roleOf('createRequest'),
        roleOf('token'),
      ].sort(),
    );
  });

  it('gives getRequest read-only table access and health nothing beyond its own logs and traces', () => {
    expect(allows('getRequest', 'dynamodb:GetItem')).toBe(true);
    expect(allows('getRequest', 'dynamodb:PutItem')).toBe(false);
    expect(allows('getRequest', 'dynamodb:UpdateItem')).toBe(false);
    const health = byRole.get(roleOf('health')) ?? [];
    expect(health.flatMap((s) => list(s.Action)).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('gives recordOutcome its table items only: no key, no workflow, no Slack, no index', () => {
    expect(allows('recordOutcome', 'dynamodb:GetItem')).toBe(true);
    expect(allows('recordOutcome', 'dynamodb:UpdateItem')).toBe(true);
    for (const action of ['dynamodb:Query', 'dynamodb:Scan', 'kms:Sign', 'states:StartExecution']) {
      expect(allows('recordOutcome', action)).toBe(false);
    }
  });

  it('gives failRequest (RecordFailure) its table items and its own logs and traces, nothing else', () => {
    const statements = byRole.get(roleOf('failRequest')) ?? [];
    expect(statements.flatMap((s) => list(s.Action)).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('lets only the kill switches (operator and owner), the reconciler (index of open requests), the audit query (audit index) and GET /v1/agents (agents partition) query the table, and nobody scan it', () => {
    expect(rolesAllowing('dynamodb:Query').sort()).toEqual(
      [
        roleOf('reconcile'),
        roleOf('revoke'),
        roleOf('slackEvents'),
        roleOf('listAuditEvents'),
        roleOf('listAgents'),
      ].sort(),
    );
    expect(rolesAllowing('dynamodb:Scan')).toEqual([]);
  });

  it('uses no wildcard actions and no AWS managed policies', () => {
    for (const [role, statements] of byRole) {
      for (const action of statements.flatMap((s) => list(s.Action))) expect(action, role).not.toContain('*');
    }
    for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });
});
