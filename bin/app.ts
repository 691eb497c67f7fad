#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfigFile } from '../lambdas/adapters/config-file';
import { StepUpStack } from '../lib/step-up-stack';

// The config is validated here, at synth, so a typo fails `cdk synth` rather than a request.
const config = loadConfigFile();

const app = new App();
new StepUpStack(app, 'StepUp', {
  config,
  description: 'stepup: serverless step-up approval for AI agents',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
