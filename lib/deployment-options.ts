import type { App, Environment } from 'aws-cdk-lib';
import type { StepUpStackProps } from './step-up-stack';

/**
 * CDK context keys (`cdk deploy -c key=value`, or `context` in cdk.json) for the deployment settings
 * that belong to one AWS environment rather than to the shared config file.
 */
export const DEPLOYMENT_CONTEXT = {
  /** `iss` of issued tokens, when a custom domain fronts the API. */
  tokenIssuer: 'stepup:tokenIssuer',
  /** Comma-separated ARNs of earlier signing keys whose tokens may still be live. */
  retiredSigningKeyArns: 'stepup:retiredSigningKeyArns',
  /** ARN of an existing SNS topic the alarms notify, instead of a topic the stack creates. */
  alarmTopicArn: 'stepup:alarmTopicArn',
} as const;

/**
 * The AWS environment to pin the stack to: only what `CDK_DEPLOY_ACCOUNT` / `CDK_DEPLOY_REGION` name.
 * Unset, the stack is environment-agnostic and takes account and region from the credentials it is
 * deployed with. (`CDK_DEFAULT_REGION` cannot be used: the CLI sets it to us-east-1 when nothing is
 * configured, which pinned every ARN of the template to that region.)
 * @example
 * CDK_DEPLOY_REGION=eu-west-1 npx cdk deploy
 */
export function deploymentEnvironment(env: NodeJS.ProcessEnv = process.env): Environment | undefined {
  const account = env.CDK_DEPLOY_ACCOUNT || undefined;
  const region = env.CDK_DEPLOY_REGION || undefined;
  return account || region ? { account, region } : undefined;
}

/** The {@link DEPLOYMENT_CONTEXT} values set on `app`, as construct props. */
export function deploymentOptions(
  app: App,
): Pick<StepUpStackProps, 'tokenIssuer' | 'retiredSigningKeyArns' | 'alarmTopicArn'> {
  const text = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') throw new Error(`context ${key} must be a string`);
    return value;
  };
  const retired = text(DEPLOYMENT_CONTEXT.retiredSigningKeyArns);
  return {
    tokenIssuer: text(DEPLOYMENT_CONTEXT.tokenIssuer),
    alarmTopicArn: text(DEPLOYMENT_CONTEXT.alarmTopicArn),
    retiredSigningKeyArns: retired
      ?.split(',')
      .map((arn) => arn.trim())
      .filter(Boolean),
  };
}
