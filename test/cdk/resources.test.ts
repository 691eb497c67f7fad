import { MCP_WAIT_MAX_SECONDS } from '../../lambdas/contract';
import { describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { HANDLER_FILES } from '../../lib/handlers';
import { StepUpApproval } from '../../lib/step-up-approval';
import { inProcessSynthContext } from '../../local/synthesized-definition';
import { AWS_TARGET_ROLE_ARN, config, logicalIdOf, synthesized } from './template';

describe('resources', () => {
  const { stack, template } = synthesized();

  it('keeps requests in one retained, recoverable, on-demand table with TTL', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ]),
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      }),
    });
  });

  it('signs with an ECC P-256 KMS key', () => {
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  });

  it('stores Slack credentials as JSON with a placeholder bot token and a random signing secret', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: JSON.stringify({ botToken: 'xoxb-replace-me' }),
        GenerateStringKey: 'signingSecret',
      }),
    });
  });

  it('runs every handler on Node 22, ARM64, with its own log group and the house environment', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(Object.keys(HANDLER_FILES).length);
    for (const [id, fn] of Object.entries(functions)) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.Environment.Variables, id).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'stepup' });
      // Source maps cost every cold start ~40 ms; they ship beside the bundle instead (step-up-function.ts).
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS, id).toBeUndefined();
      expect(fn.Properties.LoggingConfig?.LogGroup, id).toEqual({ Ref: expect.any(String) });
    }
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(logGroups.map((g) => g.Properties.RetentionInDays)).toEqual(logGroups.map(() => 30));
  });

  it('hands the config only to the functions that need it', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const withConfig = Object.entries(stack.approval.functions)
      .filter(([, fn]) => {
        const value = functions[logicalIdOf(fn)]?.Properties.Environment.Variables.STEPUP_CONFIG_JSON;
        if (value !== undefined) expect(JSON.parse(value)).toEqual(config);
        return value !== undefined;
      })
      .map(([name]) => name)
      .sort();
    // The Slack and workflow functions need approver groups; every authenticated route needs agents.admit;
    // the reconciler needs the registry's owners (a kill switch run it completes is told to them).
    expect(withConfig).toEqual([
      'accessEvaluation',
      'accessEvaluations',
      'approvalConfirm',
      'awaitApproval',
      'cancelRequest',
      'createRequest',
      'credentialsAws',
      'elevationOptions',
      'getRequest',
      'introspect',
      'listAgents',
      'listAuditEvents',
      'mcp',
      'notifyOutcome',
      'passkeysRevoke',
      'protectedResourceMetadata',
      'reconcile',
      'recordOutcome',
      'revoke',
      'slackEvents',
      'token',
      'workloadAuthorizer',
    ]);
  });

  it('gives the remote MCP function time for a tool call’s wait, under API Gateway’s 30 s', () => {
    const mcp = template.findResources('AWS::Lambda::Function')[logicalIdOf(stack.approval.functions.mcp)];
    expect(mcp?.Properties.Timeout).toBe(MCP_WAIT_MAX_SECONDS + 8);
    expect(mcp?.Properties.Timeout).toBeLessThan(30);
  });

  it('authenticates agents with a Lambda authorizer (several issuers), uncached, given the config', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: ['$request.header.Authorization'],
    });
    const [roleId] = Object.entries(template.findResources('AWS::IAM::Role')).find(([, role]) =>
      String(role.Properties.Description).includes('workload-authorizer'),
    )!;
    const [logicalId, fn] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, f]) =>
      JSON.stringify(f.Properties.Role).includes(roleId),
    )!;
    expect(JSON.stringify(template.findResources('AWS::ApiGatewayV2::Authorizer'))).toContain(logicalId);
    // The config's issuers come with STEPUP_CONFIG_JSON; its role may call nothing in AWS but logs and X-Ray.
    expect(Object.keys(fn.Properties.Environment.Variables)).toContain('STEPUP_CONFIG_JSON');
    const actions = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap((p) =>
        (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).map((st) => st.Action),
      )
      .flat();
    expect(actions.filter((action) => !/^(xray|logs):/.test(action))).toEqual([]);
  });

  it('routes the API, with the workload authorizer on all but the public routes', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => `${r.Properties.RouteKey} ${r.Properties.AuthorizationType}`,
    );
    expect(routes.sort()).toEqual(
      [
        'GET /health NONE',
        'GET /.well-known/jwks.json NONE',
        'GET /.well-known/oauth-authorization-server NONE',
        'GET /openapi.json NONE',
        'POST /slack/events NONE',
        'POST /v1/requests CUSTOM',
        'GET /v1/requests/{id} CUSTOM',
        'POST /v1/requests/{id}/cancel CUSTOM',
        'POST /v1/requests/{id}/outcome CUSTOM',
        'POST /v1/revoke CUSTOM',
        'GET /v1/audit/events CUSTOM',
        'GET /v1/agents CUSTOM',
        'POST /v1/token CUSTOM',
        'POST /v1/introspect CUSTOM',
        'POST /v1/credentials/aws CUSTOM',
        'POST /access/v1/evaluation CUSTOM',
        'POST /access/v1/evaluations CUSTOM',
        'GET /v1/elevation-options CUSTOM',
        'POST /mcp CUSTOM',
        'GET /.well-known/oauth-protected-resource NONE',
        'GET /.well-known/authzen-configuration NONE',
        'GET /approval/{link} NONE',
        'POST /approval/{link} NONE',
        'GET /approval-assets/{file} NONE',
        'POST /v1/passkeys/revoke CUSTOM',
      ].sort(),
    );
  });

  it('throttles and access-logs the $default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 50, ThrottlingRateLimit: 20 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('outputs the API URL, the Slack secret name, the alarm topic and the exchange role', () => {
    expect(Object.keys(template.toJSON().Outputs ?? {}).sort()).toEqual([
      'AlarmTopicArn',
      'ApiUrl',
      'CredentialsAwsRoleArn',
      'SlackSecretName',
    ]);
  });

  it('outputs as CredentialsAwsRoleArn the role of the exchange function, the one holding the sts grants on the targets', () => {
    const role = stack.approval.credentialsAwsRole;
    expect(role).toBe(stack.approval.functions.credentialsAws.role);
    const roleId = logicalIdOf(role);
    expect(template.toJSON().Outputs.CredentialsAwsRoleArn.Value).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
            Resource: AWS_TARGET_ROLE_ARN,
          }),
        ]),
      },
    });
  });

  it('refuses at synth a config too large for the Lambda environment', () => {
    const people = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`person${i}@example.com`, `U0PERSON${i}`]),
    );
    const scope = new Stack(new App({ context: inProcessSynthContext() }), 'TooBig');
    expect(() => new StepUpApproval(scope, 'StepUp', { config: { ...config, people } })).toThrow(
      /STEPUP_CONFIG_JSON/,
    );
  });
});
