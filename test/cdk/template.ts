import { join } from 'node:path';
import { App, CfnElement, Stack, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { loadConfigFile } from '../../lambdas/adapters/config-file';
import type { StepUpConfig } from '../../lambdas/domain/config/config';
import {
  inProcessSynthContext,
  localFunctionArn,
  type StateMachineDefinition,
} from '../../local/synthesized-definition';
import { PROJECT_ROOT } from '../../lib/step-up-function';
import { StepUpStack } from '../../lib/step-up-stack';

/** The AWS target the synthesized config maps (the shipped sample maps none, as a secure default). */
export const AWS_TARGET_ROLE_ARN = 'arn:aws:iam::111122223333:role/stepup-prod-data';

/**
 * The repository's own `stepup.config.json`, which the tests synthesize, plus one AWS target so the
 * credentials exchange's grants are part of what they check.
 */
export const config: StepUpConfig = {
  ...loadConfigFile(join(PROJECT_ROOT, 'stepup.config.json')),
  awsTargets: { 'aws:prod-data': { roleArn: AWS_TARGET_ROLE_ARN, actions: ['dynamodb:DeleteTable'] } },
};

/**
 * A StepUpStack in a fresh App with cdk.json's feature flags and bundling skipped. CDK's built-in
 * CloudFormation validation (~3 s) runs only when asked, as in the nag test that mirrors `cdk synth`.
 */
export function buildStack(options: { cloudFormationValidation?: boolean; env?: Environment } = {}): {
  app: App;
  stack: StepUpStack;
} {
  const app = new App({
    context: inProcessSynthContext(),
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
  });
  return { app, stack: new StepUpStack(app, 'StepUp', { config, env: options.env }) };
}

let shared: { stack: StepUpStack; template: Template } | undefined;

/** One synthesized stack per test file (synthesis dominates the test time). */
export function synthesized(): { stack: StepUpStack; template: Template } {
  if (!shared) {
    const { stack } = buildStack();
    shared = { stack, template: Template.fromStack(stack) };
  }
  return shared;
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalIdOf(construct: IConstruct): string {
  const element = construct.node.defaultChild ?? construct;
  if (!CfnElement.isCfnElement(element))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(element).getLogicalId(element);
}

/**
 * Resolves the template's DefinitionString independently of the code under test: only the
 * intrinsics the workflow is expected to contain are understood.
 */
export function definitionFromTemplate(): StateMachineDefinition {
  const { template } = synthesized();
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const [delimiter, parts] = machine?.Properties.DefinitionString['Fn::Join'] as [string, unknown[]];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const token = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      if (token.Ref === 'AWS::Partition') return 'aws';
      if (token['Fn::GetAtt']?.[1] === 'Arn') return localFunctionArn(token['Fn::GetAtt'][0]);
      throw new Error(`unexpected token ${JSON.stringify(part)}`);
    })
    .join(delimiter);
  return JSON.parse(text) as StateMachineDefinition;
}
