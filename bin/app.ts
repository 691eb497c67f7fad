#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { policiesPath } from '../lambdas/adapters/cedar/policy-directory';
import { PolicyValidationError } from '../lambdas/adapters/cedar/policy-set-loader';
import { loadConfigFile } from '../lambdas/adapters/config-file';
import { StepUpError } from '../lambdas/domain/errors';
import { deploymentEnvironment, deploymentOptions } from '../lib/deployment-options';
import { StepUpStack } from '../lib/step-up-stack';

try {
  // Config and policies are validated here, at synth, so a typo fails `cdk synth` rather than a request.
  const config = loadConfigFile();
  const app = new App();
  new StepUpStack(app, 'StepUp', {
    config,
    policiesDir: process.env.STEPUP_POLICIES ? policiesPath() : undefined,
    description: 'stepup: serverless step-up approval for AI agents',
    env: deploymentEnvironment(),
    ...deploymentOptions(app),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
} catch (error) {
  if (error instanceof PolicyValidationError || error instanceof StepUpError) {
    console.error(`stepup: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
