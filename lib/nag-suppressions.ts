import { Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import type { HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';

/** A route without the JWT authorizer, and why (the reason declared with it in `lambdas/api/routes.ts`). */
export interface PublicRoute {
  readonly route: HttpRoute;
  readonly reason: string;
}

/** The constructs of a StepUpApproval that carry cdk-nag findings which are there by design. */
export interface NagTargets {
  /** Every Lambda function (runtime finding). */
  readonly functions: readonly lambda.Function[];
  /** The workflow, whose role needs wildcard-resource actions. */
  readonly stateMachine: sfn.StateMachine;
  /** The functions the state machine invokes (their `:*` qualifier grants). */
  readonly invokedByWorkflow: readonly lambda.Function[];
  /** Routes that must not carry the JWT authorizer. */
  readonly publicRoutes: readonly PublicRoute[];
  /** The Slack secret, which AWS cannot rotate. */
  readonly slackSecret: secretsmanager.Secret;
  /** Functions that may stop executions (cancel, kill switch): executions are named per request. */
  readonly executionStoppers: readonly lambda.Function[];
}

/** The L1 (CloudFormation) resource of an L2 construct: acknowledging there keeps siblings unaffected. */
function cfn(construct: IConstruct): IConstruct {
  const child = construct.node.defaultChild;
  if (!child) throw new Error(`${construct.node.path} has no CloudFormation resource to acknowledge on`);
  return child;
}

/** `<LogicalId.Arn>` as cdk-nag spells a `Fn::GetAtt` in finding ids. */
function arnRef(construct: IConstruct): string {
  const element = cfn(construct) as CfnElement;
  return `<${Stack.of(element).resolve(element.logicalId)}.Arn>`;
}

/**
 * Acknowledges the cdk-nag `AwsSolutions` findings that are by design, each on the single resource it
 * concerns and with the reason. Everything else in the construct is fixed instead (own roles without
 * AWS managed policies, access logs, ALL-level state machine logs, X-Ray, PITR).
 */
export function acknowledgeNagFindings(targets: NagTargets): void {
  for (const fn of targets.functions) {
    Validations.of(cfn(fn)).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is pinned deliberately: it is the newest runtime the toolchain and the bundles are tested ' +
        'on; moving to a newer runtime is a tested upgrade, not a drift cdk-nag should force.',
    });
    const policy = fn.role?.node.tryFindChild('DefaultPolicy');
    if (!policy) throw new Error(`${fn.node.path} has no role policy to acknowledge on`);
    Validations.of(cfn(policy)).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support ' +
        'resource-level permissions; CDK adds exactly these two for `tracing: ACTIVE`.',
    });
  }

  const policy = targets.stateMachine.role.node.tryFindChild('DefaultPolicy');
  if (!policy) throw new Error('state machine role has no DefaultPolicy to acknowledge on');
  const statePolicy = cfn(policy);
  Validations.of(statePolicy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'CloudWatch Logs delivery (logs:CreateLogDelivery, logs:PutResourcePolicy, ...) and X-Ray ' +
      '(xray:PutTraceSegments, ...) do not support resource-level permissions; CDK generates these ' +
      'statements for the state machine logging and tracing that SF1/SF2 require.',
  });
  for (const fn of targets.invokedByWorkflow) {
    Validations.of(statePolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arnRef(fn)}:*]`,
      reason:
        `The ":*" suffix only covers versions and aliases of ${fn.node.id}, one specific function; ` +
        'LambdaInvoke grants it so the task may invoke a qualified ARN.',
    });
  }

  // cdk-nag spells the ARN as synthesized: pseudo parameters where the stack's env is not concrete.
  const stack = Stack.of(targets.stateMachine);
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const machine = stack.resolve((cfn(targets.stateMachine) as CfnElement).logicalId) as string;
  const executions = `arn:<AWS::Partition>:states:${region}:${account}:execution:<${machine}.Name>:*`;
  for (const fn of targets.executionStoppers) {
    const role = fn.role?.node.tryFindChild('DefaultPolicy');
    if (!role) throw new Error(`${fn.node.path} has no role policy to acknowledge on`);
    Validations.of(cfn(role)).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${executions}]`,
      reason:
        'states:StopExecution on the executions of this one state machine: each execution is named after ' +
        'a request id created at run time, so no narrower ARN exists.',
    });
  }

  for (const { route, reason } of targets.publicRoutes) {
    Validations.of(cfn(route)).acknowledge({ id: 'AwsSolutions-APIG4', reason });
  }

  Validations.of(cfn(targets.slackSecret)).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'Holds a Slack bot token and signing secret issued by Slack; Secrets Manager cannot rotate them. ' +
      'Operators rotate them in the Slack app settings and update the secret value.',
  });
}
