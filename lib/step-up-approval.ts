import { grantPasskeyFunctions, passkeyAssetBundling } from './passkey-functions';
import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { OPEN_INDEX } from '../lambdas/adapters/aws/dynamodb-request-store';
import { AUDIT_INDEX } from '../lambdas/adapters/aws/audit-index';
import { loadPolicySet } from '../lambdas/adapters/cedar/policy-set-loader';
import { ROUTES } from '../lambdas/api/routes';
import { MCP_WAIT_MAX_SECONDS, TOKEN_WAIT_MAX_SECONDS } from '../lambdas/contract';
import type { StepUpConfig } from '../lambdas/domain/config/config';
import { StepUpApi } from './api';
import { buildApprovalTable } from './approval-table';
import { AuditExport } from './audit-export';
import type * as events from 'aws-cdk-lib/aws-events';
import { ApprovalWorkflow } from './approval-workflow';
import {
  grantOwnTaskResponse,
  grantSigningKey,
  grantSlackSecret,
  grantStartWorkflow,
  grantStopWorkflow,
  grantAwsTargets,
  grantHistoryRead,
  grantTable,
  grantWorkflowCallback,
  setAgentAdmission,
  setConfig,
  setTokenIssuer,
} from './grants';
import { HANDLER_FILES, type StepUpFunctionName } from './handlers';
import { acknowledgeNagFindings, type PublicRoute } from './nag-suppressions';
import { StepUpOperations } from './operations';
import { buildSigningKey } from './signing-key';
import { buildSlackSecret } from './slack-secret';
import { checkPolicyTests, DEFAULT_POLICIES_DIR, policyBundling, setPolicies } from './policy-assets';
import { buildStepUpFunction } from './step-up-function';
import { RECONCILE_TIMEOUT, ReconcileSchedule } from './reconcile-schedule';

/** The functions that evaluate the policies: the validated set and Cedar's wasm are bundled beside them. */
export const POLICY_FUNCTIONS: readonly StepUpFunctionName[] = [
  'createRequest',
  // DTR: a deferred token exchange at /v1/token creates the request through the same use case.
  'token',
  'accessEvaluation',
  'accessEvaluations',
  'elevationOptions',
];

/**
 * The token function holds a long-poll up to `TOKEN_WAIT_MAX_SECONDS` (25 s): its timeout leaves a
 * few seconds to answer, and stays under API Gateway's 30 s integration limit.
 */
const TOKEN_FUNCTION_TIMEOUT = Duration.seconds(TOKEN_WAIT_MAX_SECONDS + 3);

/**
 * The remote MCP function waits up to `MCP_WAIT_MAX_SECONDS` (20 s) in a tool call, after creating or
 * reading the request through the API: 28 s leaves room for those calls, under API Gateway's 30 s.
 */
const MCP_FUNCTION_TIMEOUT = Duration.seconds(MCP_WAIT_MAX_SECONDS + 8);

/** Properties of {@link StepUpApproval}. */
export interface StepUpApprovalProps {
  /** The validated stepup config (`loadConfigFile()` or `parseConfig()`); its `auth` configures the JWT authorizer. */
  readonly config: StepUpConfig;
  /**
   * `iss` of the step-up tokens this deployment issues. Set it when a custom domain fronts the API.
   * @default - the HTTP API endpoint URL
   */
  readonly tokenIssuer?: string;
  /**
   * Retention of every log group (functions, state machine, API access logs).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Removal policy of the DynamoDB table (which also has deletion protection on).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Directory with one `*.cedarschema` and the `*.cedar` policies. Validated at synth (an invalid
   * policy fails `cdk synth` with file and line), its test cases (`tests/*.json`) run at synth (a
   * case that gets another decision fails `cdk synth`), and bundled with the request function.
   * @default the `policies/` directory of this package
   */
  readonly policiesDir?: string;
  /**
   * Run the policy tests of `<policiesDir>/tests` at synth and fail it on a mismatch. The local
   * runtime's in-process synth of the workflow turns this off: the shipped cases pin the sample
   * config's defaults, and a run with another config is judged by `stepup policy test` instead.
   * @default true
   */
  readonly runPolicyTests?: boolean;
  /**
   * ARNs of earlier signing keys whose tokens may still be live. They stop signing but stay in the
   * JWKS; remove them once the longest token lifetime (at most 1 h) has passed. See the README's
   * key rotation procedure.
   * @default none
   */
  readonly retiredSigningKeyArns?: readonly string[];
  /**
   * The SNS topic every alarm notifies (see the README's "Operating stepup").
   * @default - a new KMS-encrypted, TLS-only topic, `operations.alarmTopic`
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Serverless step-up approval for AI agents: an HTTP API where an agent asks for one high-risk
 * action, a Standard state machine that pages approvers in Slack and drives timeouts, a DynamoDB
 * table as the single source of truth, and a KMS key that signs the single-use token.
 *
 * Every permission comes from a `grant*` call that also sets the environment variable naming the
 * resource, and the cdk-nag findings that cannot be fixed are acknowledged with reasons here, so
 * the construct passes `AwsSolutionsChecks` in any stack.
 */
export class StepUpApproval extends Construct {
  /** Requests, votes, grants and audit events (`pk`/`sk`, TTL on `expires_at`). */
  public readonly table: dynamodb.Table;
  /** ECC_NIST_P256 KMS key that signs step-up tokens. */
  public readonly signingKey: kms.Key;
  /** Slack credentials, JSON `{"botToken","signingSecret"}`; put the real values in after deploying. */
  public readonly slackSecret: secretsmanager.Secret;
  /** The approval workflow (Standard). */
  public readonly stateMachine: sfn.StateMachine;
  /** The agent-, resource-server- and Slack-facing HTTP API. */
  public readonly httpApi: apigw.HttpApi;
  /** Base URL of the API, without a trailing slash. */
  public readonly apiUrl: string;
  /** The `iss` of issued tokens. */
  public readonly tokenIssuer: string;
  /** Every Lambda function, by name. */
  public readonly functions: Readonly<Record<StepUpFunctionName, NodejsFunction>>;
  /**
   * The EventBridge bus `stepup` that receives one event per audit event (README, "Audit export"):
   * add rules to it to route them to a SIEM, S3 or Security Lake.
   */
  public readonly auditBus: events.IEventBus;
  /** Alarms, their topic and the dashboard. */
  public readonly operations: StepUpOperations;
  /**
   * The role of the AWS credentials exchange (`POST /v1/credentials/aws`): the one principal every
   * target role in `awsTargets` must trust (docs/aws-credentials.md).
   */
  public readonly credentialsAwsRole: iam.IRole;

  constructor(scope: Construct, id: string, props: StepUpApprovalProps) {
    super(scope, id);
    const { config } = props;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const policiesDir = props.policiesDir ?? DEFAULT_POLICIES_DIR;
    // A policy set that does not validate must fail the synth, never a request at run time.
    const policySet = loadPolicySet(policiesDir, config);
    // Nor may one that decides a policy test case differently from what the case expects.
    if (props.runPolicyTests ?? true) checkPolicyTests(policiesDir, policySet, config);

    this.table = buildApprovalTable(this, 'Table', {
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.signingKey = buildSigningKey(this, 'SigningKey');
    this.slackSecret = buildSlackSecret(this, 'SlackSecret');

    const api = new StepUpApi(this, 'Api', { logRetention });
    this.httpApi = api.httpApi;
    this.apiUrl = api.url;
    this.tokenIssuer = props.tokenIssuer ?? api.url;

    const fns = {} as Record<StepUpFunctionName, NodejsFunction>;
    for (const [name, handlerFile] of Object.entries(HANDLER_FILES) as [StepUpFunctionName, string][]) {
      const constructId = name.charAt(0).toUpperCase() + name.slice(1);
      fns[name] = buildStepUpFunction(this, constructId, {
        handlerFile,
        logRetention,
        bundling: POLICY_FUNCTIONS.includes(name)
          ? policyBundling(policySet)
          : name === 'approvalAssets'
            ? passkeyAssetBundling()
            : undefined,
        timeout:
          name === 'reconcile'
            ? RECONCILE_TIMEOUT
            : name === 'token'
              ? TOKEN_FUNCTION_TIMEOUT
              : name === 'mcp'
                ? MCP_FUNCTION_TIMEOUT
                : undefined,
      });
    }
    this.functions = fns;

    // The workload authorizer: the issuers' keys come from the internet (OIDC discovery), no AWS call.
    setConfig(fns.workloadAuthorizer, config);
    api.authorizeWith(fns.workloadAuthorizer);

    const workflow = new ApprovalWorkflow(this, 'Workflow', { handlers: fns, logRetention });
    this.stateMachine = workflow.stateMachine;

    grantTable(fns.createRequest, this.table, 'readWrite');
    grantHistoryRead(fns.createRequest, this.table);
    grantStartWorkflow(fns.createRequest, this.stateMachine);
    // The bot token: a policy denial is told to the agent's owners in Slack (it reads the status too).
    grantSlackSecret(fns.createRequest, this.slackSecret);
    setPolicies(fns.createRequest);

    grantTable(fns.getRequest, this.table, 'read');
    grantTable(fns.recordOutcome, this.table, 'readWrite');
    // The operators' audit query reads the audit index and the requests it names, nothing else.
    grantTable(fns.listAuditEvents, this.table, 'read', AUDIT_INDEX.name);

    grantTable(fns.listAgents, this.table, 'read');
    grantHistoryRead(fns.listAgents, this.table, true);
    setConfig(fns.listAgents, config);

    // AuthZEN and the elevation options: the request function's decision (the agent's history read,
    // as it is) without its workflow or Slack, and nothing is stored.
    for (const fn of [fns.accessEvaluation, fns.accessEvaluations, fns.elevationOptions]) {
      grantTable(fn, this.table, 'read');
      grantHistoryRead(fn, this.table);
      setPolicies(fn);
      setConfig(fn, config);
      setTokenIssuer(fn, this.tokenIssuer);
    }
    setTokenIssuer(fns.authzenConfiguration, this.tokenIssuer);

    // Remote MCP: calls this API as the agent (its bearer), so it needs only the URL and admission.
    setTokenIssuer(fns.mcp, this.tokenIssuer);
    setConfig(fns.mcp, config);
    setTokenIssuer(fns.protectedResourceMetadata, this.tokenIssuer);
    setConfig(fns.protectedResourceMetadata, config);

    const retiredKeys = (props.retiredSigningKeyArns ?? []).map((arn, i) =>
      kms.Key.fromKeyArn(this, `RetiredSigningKey${i}`, arn),
    );

    grantTable(fns.token, this.table, 'readWrite');
    grantSigningKey(fns.token, this.signingKey, 'sign');
    setTokenIssuer(fns.token, this.tokenIssuer);
    // DTR: a deferred token exchange creates the request exactly as createRequest does (a policy
    // denial is told to the agent's owners in Slack, so it reads the bot token too).
    grantHistoryRead(fns.token, this.table);
    grantStartWorkflow(fns.token, this.stateMachine);
    grantSlackSecret(fns.token, this.slackSecret);
    setPolicies(fns.token);
    setConfig(fns.token, config);

    grantTable(fns.introspect, this.table, 'readWrite');
    grantSigningKey(fns.introspect, this.signingKey, 'verify', retiredKeys);
    setTokenIssuer(fns.introspect, this.tokenIssuer);

    grantTable(fns.credentialsAws, this.table, 'readWrite');
    grantSigningKey(fns.credentialsAws, this.signingKey, 'verify', retiredKeys);
    setTokenIssuer(fns.credentialsAws, this.tokenIssuer);
    setConfig(fns.credentialsAws, config);
    grantAwsTargets(fns.credentialsAws, config);
    if (!fns.credentialsAws.role) throw new Error('the credentials exchange function has no role');
    this.credentialsAwsRole = fns.credentialsAws.role;

    grantSigningKey(fns.jwks, this.signingKey, 'verify', retiredKeys);
    setTokenIssuer(fns.serverMetadata, this.tokenIssuer);
    setTokenIssuer(fns.openApi, this.tokenIssuer);

    grantTable(fns.cancelRequest, this.table, 'readWrite');
    grantStopWorkflow(fns.cancelRequest, this.stateMachine);
    grantSlackSecret(fns.cancelRequest, this.slackSecret);

    grantTable(fns.revoke, this.table, 'readWrite', OPEN_INDEX.name);
    grantSigningKey(fns.revoke, this.signingKey, 'verify', retiredKeys);
    setTokenIssuer(fns.revoke, this.tokenIssuer);
    grantStopWorkflow(fns.revoke, this.stateMachine);
    grantSlackSecret(fns.revoke, this.slackSecret);

    // Its owners' kill switch button reads the agent's open requests and stops their executions.
    grantTable(fns.slackEvents, this.table, 'readWrite', OPEN_INDEX.name);
    grantSlackSecret(fns.slackEvents, this.slackSecret);
    setConfig(fns.slackEvents, config);
    grantWorkflowCallback(fns.slackEvents, this.stateMachine);
    grantStopWorkflow(fns.slackEvents, this.stateMachine);

    for (const fn of [fns.awaitApproval, fns.notifyOutcome]) {
      grantTable(fn, this.table, 'readWrite');
      grantSlackSecret(fn, this.slackSecret);
      setConfig(fn, config);
    }
    // A request decided before its wait began (a click during a retry or restart): AwaitApproval
    // completes its own task.
    grantOwnTaskResponse(fns.awaitApproval, this.stateMachine);
    grantTable(fns.expireRequest, this.table, 'readWrite');
    // Its own function, not a mode of Expire: the failure path must not share the
    // bundle, role or concurrency of the step whose failure it records.
    grantTable(fns.failRequest, this.table, 'readWrite');

    // Completes decisions whose hand-over to the workflow was lost (docs/architecture.md, Recovery).
    // It also carries on kill switch runs their calls left unfinished (stopping cancelled executions).
    grantTable(fns.reconcile, this.table, 'readWrite', OPEN_INDEX.name);
    grantSlackSecret(fns.reconcile, this.slackSecret);
    // The agent registry: a run it completes is told to the agent's owners.
    setConfig(fns.reconcile, config);
    grantStopWorkflow(fns.reconcile, this.stateMachine);
    new ReconcileSchedule(this, 'Reconciler', { reconciler: fns.reconcile });

    this.auditBus = new AuditExport(this, 'AuditExport', {
      table: this.table,
      exporter: fns.exportAudit,
    }).bus;
    grantPasskeyFunctions(fns, {
      table: this.table,
      slackSecret: this.slackSecret,
      stateMachine: this.stateMachine,
      config,
      publicUrl: this.apiUrl,
    });

    const publicRoutes: PublicRoute[] = [];
    for (const route of ROUTES) {
      const fn = fns[route.name];
      const httpRoute = api.addRoute(HttpMethod[route.method], route.path, fn, {
        public: route.auth.kind !== 'workload',
      });
      if (route.auth.kind === 'workload') {
        // Behind the JWT authorizer, and each function admits its callers itself: the route and the
        // admission rules come together, so no authenticated route lacks them.
        setAgentAdmission(fn, config);
      } else {
        // Public by design, or (Slack) authenticated by the handler: cdk-nag is told why, route by route.
        publicRoutes.push({ route: httpRoute, reason: route.auth.reason });
      }
    }
    if (config.agents.admit.length === 0) {
      Annotations.of(this).addWarningV2(
        'stepup:no-admitted-agents',
        'stepup config agents.admit is empty: every call to the API will be refused with unknown_agent',
      );
    }

    this.operations = new StepUpOperations(this, 'Operations', {
      functions: fns,
      stateMachine: this.stateMachine,
      httpApi: this.httpApi,
      table: this.table,
      alarmTopic: props.alarmTopic,
    });

    acknowledgeNagFindings({
      functions: Object.values(fns),
      stateMachine: this.stateMachine,
      invokedByWorkflow: [fns.awaitApproval, fns.expireRequest, fns.failRequest, fns.notifyOutcome],
      publicRoutes,
      slackSecret: this.slackSecret,
      executionStoppers: [fns.cancelRequest, fns.revoke, fns.reconcile, fns.slackEvents],
    });
  }
}
