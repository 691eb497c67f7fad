import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { StepUpConfig } from '../lambdas/domain/config/config';
import { PROJECT_ROOT } from '../lib/step-up-function';
import { StepUpStack } from '../lib/step-up-stack';

/** The Amazon States Language definition, as `aws-local-stepfunctions` takes it. */
export type { StateMachineDefinition };

/** Account that stands in for the real one in resolved ARNs. */
export const LOCAL_ACCOUNT = '000000000000';
/** Region that stands in for the real one in resolved ARNs. */
export const LOCAL_REGION = 'local';

/** The ARN a Lambda function's `Fn::GetAtt [<logicalId>, Arn]` resolves to locally. */
export function localFunctionArn(logicalId: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;
}

/**
 * CDK context for an in-process synth: the feature flags from `cdk.json` (so the result matches
 * `cdk synth`) and no asset bundling (the definition does not depend on the bundles, and bundling
 * every function would take seconds).
 */
export function inProcessSynthContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] };
}

interface CfnResource {
  readonly Type: string;
}

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Resolves the intrinsics CDK puts in a `DefinitionString` to local placeholder strings. */
function resolveIntrinsic(value: unknown, resources: Readonly<Record<string, CfnResource>>): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null)
    throw new Error(`unexpected token ${JSON.stringify(value)}`);
  const fn = value as Record<string, unknown>;

  if (Array.isArray(fn['Fn::Join'])) {
    const [delimiter, parts] = fn['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolveIntrinsic(part, resources)).join(delimiter);
  }
  if (typeof fn.Ref === 'string') {
    const pseudo = PSEUDO_PARAMETERS[fn.Ref];
    if (pseudo !== undefined) return pseudo;
    if (resources[fn.Ref]) return fn.Ref;
    throw new Error(`Ref to unknown ${fn.Ref}`);
  }
  if (Array.isArray(fn['Fn::GetAtt'])) {
    const [logicalId, attribute] = fn['Fn::GetAtt'] as [string, string];
    const type = resources[logicalId]?.Type;
    if (type === 'AWS::Lambda::Function' && attribute === 'Arn') return localFunctionArn(logicalId);
    // Anything else means the workflow gained a new kind of task: teach this resolver and the local runtime.
    throw new Error(
      `no local placeholder for Fn::GetAtt ${logicalId}.${attribute} (${type ?? 'unknown type'})`,
    );
  }
  throw new Error(`unsupported intrinsic ${JSON.stringify(value)}`);
}

/**
 * Builds the real `StepUpStack` for `config` and the policies in `policiesDir` (default: the repository's
 * `policies/`; one in-process synth, no bundling), takes the state
 * machine's `DefinitionString` and resolves its tokens to local placeholders, e.g. a Lambda ARN to
 * `arn:aws:lambda:local:000000000000:function:<logicalId>`. The local runtime runs the result with
 * `aws-local-stepfunctions`, mapping task states by name to in-process handlers, so local and AWS
 * run the same workflow.
 */
export function synthesizeWorkflowDefinition(
  config: StepUpConfig,
  policiesDir?: string,
): StateMachineDefinition {
  const outdir = mkdtempSync(join(tmpdir(), 'stepup-synth-'));
  try {
    // The built-in CloudFormation template validation costs ~3 s of wasm start-up; `cdk synth` runs it.
    const app = new App({ outdir, context: inProcessSynthContext(), builtinCloudFormationValidation: false });
    const stack = new StepUpStack(app, 'StepUp', { config, policiesDir, runPolicyTests: false });
    const template = app.synth().getStackArtifact(stack.artifactId).template as {
      Resources: Record<string, CfnResource & { Properties?: { DefinitionString?: unknown } }>;
    };
    const machines = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::StepFunctions::StateMachine',
    );
    const [machine] = machines;
    if (machines.length !== 1 || !machine?.Properties?.DefinitionString) {
      throw new Error(`expected exactly one state machine with a DefinitionString, found ${machines.length}`);
    }
    return JSON.parse(
      resolveIntrinsic(machine.Properties.DefinitionString, template.Resources),
    ) as StateMachineDefinition;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
