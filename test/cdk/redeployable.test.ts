import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { deploymentEnvironment, deploymentOptions, DEPLOYMENT_CONTEXT } from '../../lib/deployment-options';
import { StepUpStack } from '../../lib/step-up-stack';
import { inProcessSynthContext } from '../../local/synthesized-definition';
import { AWS_TARGET_ROLE_ARN, config, synthesized } from './template';

/** Every `…Name` property of a resource: the physical names CloudFormation would otherwise generate. */
function physicalNames(resource: { Properties?: Record<string, unknown> }): [string, unknown][] {
  return Object.entries(resource.Properties ?? {}).filter(([key]) => /Name$/.test(key));
}

describe('a stack that can be deployed again, anywhere', () => {
  it('retained resources have no fixed physical name (a redeploy after a rollback or destroy would collide)', () => {
    const { template } = synthesized();
    const retained = Object.entries(
      template.toJSON().Resources as Record<string, Record<string, unknown>>,
    ).filter(([, r]) => r.DeletionPolicy === 'Retain' || r.UpdateReplacePolicy === 'Retain');
    expect(retained.length).toBeGreaterThan(0);
    for (const [id, resource] of retained) {
      for (const [key, value] of physicalNames(resource as { Properties?: Record<string, unknown> })) {
        // A name is allowed only when it differs per stack instance.
        expect(JSON.stringify(value), `${id}.${key}`).toContain('AWS::StackId');
      }
    }
  });

  it('without CDK_DEPLOY_* the template names no region or account: both come from the deploying credentials', () => {
    // The configured AWS target's role ARN is the operator's own fact, not the deploying account.
    const text = JSON.stringify(synthesized().template.toJSON()).replaceAll(AWS_TARGET_ROLE_ARN, '');
    expect(text).not.toMatch(/\b(?:us|eu|ap|ca|sa|me|af|il|mx)-[a-z]+-\d\b/);
    expect(text).not.toMatch(/\b\d{12}\b/);
    expect(text).toContain('AWS::Region');
  });

  it('pins the environment only to what CDK_DEPLOY_ACCOUNT / CDK_DEPLOY_REGION say, never to the CLI default', () => {
    expect(
      deploymentEnvironment({ CDK_DEFAULT_REGION: 'us-east-1', CDK_DEFAULT_ACCOUNT: '111111111111' }),
    ).toBe(undefined);
    expect(deploymentEnvironment({ CDK_DEPLOY_REGION: 'eu-west-1' })).toEqual({
      account: undefined,
      region: 'eu-west-1',
    });
  });

  it('tokenIssuer, retiredSigningKeyArns and the alarm topic come from CDK context (-c or cdk.json)', () => {
    const retired = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const app = new App({
      context: {
        ...inProcessSynthContext(),
        [DEPLOYMENT_CONTEXT.tokenIssuer]: 'https://stepup.example.com',
        [DEPLOYMENT_CONTEXT.retiredSigningKeyArns]: ` ${retired} ,`,
        [DEPLOYMENT_CONTEXT.alarmTopicArn]: 'arn:aws:sns:eu-west-1:123456789012:team-alarms',
      },
    });
    const stack = new StepUpStack(app, 'StepUp', { config, ...deploymentOptions(app) });
    const template = Template.fromStack(stack);
    const variables = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (fn) => (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>,
    );
    const issuers = new Set(variables.map((v) => v.TOKEN_ISSUER).filter(Boolean));
    expect([...issuers]).toEqual(['https://stepup.example.com']);
    expect(variables.some((v) => v.RETIRED_SIGNING_KEY_IDS === '11111111-2222-3333-4444-555555555555')).toBe(
      true,
    );
  });
});
