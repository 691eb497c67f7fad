import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ENV } from '../lambdas/adapters/env';
import { serializeConfig, type StepUpConfig } from '../lambdas/domain/config/config';

// Each helper sets an environment variable together with the permission that makes it usable, so a
// handler can never be given a resource name without the right to use it (or the other way round).

/** Lambda allows 4 KB of environment in total; keep the config well under it to leave room for the rest. */
export const MAX_CONFIG_ENV_BYTES = 3 * 1024;

const TABLE_READ = ['dynamodb:GetItem'];
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem'];

/**
 * `TABLE_NAME` plus exactly the item operations the store uses, on the table itself; `index` adds
 * `dynamodb:Query` on that one index. (`grantReadWriteData` would add batch, scan and every index.)
 */
export function grantTable(
  fn: lambda.Function,
  table: dynamodb.ITable,
  mode: 'read' | 'readWrite',
  index?: string,
): void {
  fn.addEnvironment(ENV.tableName, table.tableName);
  const actions = mode === 'read' ? TABLE_READ : [...TABLE_READ, ...TABLE_WRITE];
  iam.Grant.addToPrincipal({ grantee: fn, actions, resourceArns: [table.tableArn] });
  if (index) {
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['dynamodb:Query'],
      resourceArns: [`${table.tableArn}/index/${index}`],
    });
  }
}

/**
 * Reading agent history (`context.history`): one `BatchGetItem` of the history items per decision.
 * With `listing`, also `Query` on the table itself, for the partition listing the agents
 * (`GET /v1/agents`; keyed reads of one partition, never a scan). Call after {@link grantTable}.
 */
export function grantHistoryRead(fn: lambda.Function, table: dynamodb.ITable, listing = false): void {
  const actions = ['dynamodb:BatchGetItem', ...(listing ? ['dynamodb:Query'] : [])];
  iam.Grant.addToPrincipal({ grantee: fn, actions, resourceArns: [table.tableArn] });
}

/**
 * `SIGNING_KEY_ID` plus `kms:GetPublicKey`, and `kms:Sign` only for the function that issues tokens;
 * `RETIRED_SIGNING_KEY_IDS` plus `kms:GetPublicKey` on keys that no longer sign but whose tokens may
 * still be live (they stay in the JWKS). The JWT `kid` is the key's JWK thumbprint, not its id.
 */
export function grantSigningKey(
  fn: lambda.Function,
  key: kms.IKey,
  mode: 'sign' | 'verify',
  retired: readonly kms.IKey[] = [],
): void {
  fn.addEnvironment(ENV.signingKeyId, key.keyId);
  if (mode === 'sign') key.grant(fn, 'kms:Sign', 'kms:GetPublicKey');
  else key.grant(fn, 'kms:GetPublicKey');
  if (retired.length > 0) {
    fn.addEnvironment(ENV.retiredSigningKeyIds, retired.map((k) => k.keyId).join(','));
    for (const old of retired) old.grant(fn, 'kms:GetPublicKey');
  }
}

/** `SLACK_SECRET_ARN` plus read access to the Slack secret. */
export function grantSlackSecret(fn: lambda.Function, secret: secretsmanager.ISecret): void {
  fn.addEnvironment(ENV.slackSecretArn, secret.secretArn);
  secret.grantRead(fn);
}

/** `STATE_MACHINE_ARN` plus `states:StartExecution` on that state machine only. */
export function grantStartWorkflow(fn: lambda.Function, stateMachine: sfn.IStateMachine): void {
  fn.addEnvironment(ENV.stateMachineArn, stateMachine.stateMachineArn);
  stateMachine.grantStartExecution(fn);
}

/** `STATE_MACHINE_ARN` plus `states:StopExecution` on that state machine's executions only. */
export function grantStopWorkflow(fn: lambda.Function, stateMachine: sfn.StateMachine): void {
  fn.addEnvironment(ENV.stateMachineArn, stateMachine.stateMachineArn);
  iam.Grant.addToPrincipal({
    grantee: fn,
    actions: ['states:StopExecution'],
    resourceArns: [executionsArn(stateMachine)],
  });
}

/** `…:execution:<state machine name>:*`: the executions of one state machine (named per request). */
export function executionsArn(stateMachine: sfn.StateMachine): string {
  return Stack.of(stateMachine).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${stateMachine.stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** `states:SendTaskSuccess/Failure/Heartbeat`; the task token itself carries the execution, so no env var. */
export function grantWorkflowCallback(fn: lambda.Function, stateMachine: sfn.IStateMachine): void {
  stateMachine.grantTaskResponse(fn);
}

/**
 * The task-response actions for a function the state machine itself invokes (AwaitApproval completes
 * its own task when the request was decided before its wait began). They live in a policy of their
 * own: in the role's default policy they would make the function depend on the state machine, which
 * depends on the function.
 */
export function grantOwnTaskResponse(fn: lambda.Function, stateMachine: sfn.StateMachine): void {
  if (!fn.role) throw new Error(`${fn.node.path} has no execution role`);
  new iam.Policy(fn, 'TaskResponse', {
    roles: [fn.role],
    statements: [
      new iam.PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resources: [stateMachine.stateMachineArn],
      }),
    ],
  });
}

/** `TOKEN_ISSUER`, the `iss` of issued tokens; no permission is attached to it. */
export function setTokenIssuer(fn: lambda.Function, issuer: string): void {
  fn.addEnvironment(ENV.tokenIssuer, issuer);
}

/**
 * What a function behind the workload JWT needs to admit its callers: the config's `agents.admit`
 * and `operators`, carried in `STEPUP_CONFIG_JSON` (one serialisation of the config, one size check).
 */
export function setAgentAdmission(fn: lambda.Function, config: StepUpConfig): void {
  setConfig(fn, config);
}

/**
 * `STEPUP_CONFIG_JSON`, the validated config the handlers need at run time (no permission attached).
 * @throws Error at synth when the serialized config would crowd out the rest of the Lambda environment.
 */
export function setConfig(fn: lambda.Function, config: StepUpConfig): void {
  const json = serializeConfig(config);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_CONFIG_ENV_BYTES) {
    throw new Error(
      `stepup config is ${bytes} bytes as JSON, over the ${MAX_CONFIG_ENV_BYTES}-byte budget for the ` +
        `STEPUP_CONFIG_JSON environment variable (Lambda allows 4 KB of environment in total). ` +
        `Shrink it, e.g. move large "people" maps to Slack user groups (S…) or users.lookupByEmail.`,
    );
  }
  fn.addEnvironment(ENV.config, json);
}

/**
 * What the credentials exchange needs on each configured AWS target role, and nothing else: assume it,
 * set the agent as `SourceIdentity`, tag the session. No statement at all without targets.
 */
export function grantAwsTargets(fn: lambda.Function, config: StepUpConfig): void {
  const roleArns = Object.values(config.awsTargets).map((target) => target.roleArn);
  if (roleArns.length === 0) return;
  iam.Grant.addToPrincipal({
    grantee: fn,
    actions: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
    resourceArns: [...new Set(roleArns)].sort(),
  });
}
