import './polyfills';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { cedarPolicyFromDirectory, policiesPath } from '../lambdas/adapters/cedar/policy-directory';
import { loadConfigFile } from '../lambdas/adapters/config-file';
import { DynamoDbIdempotencyStore } from '../lambdas/adapters/aws/dynamodb-idempotency-store';
import { DynamoDbOwnerNoticeClaims } from '../lambdas/adapters/aws/dynamodb-owner-notice-claims';
import { DynamoDbKillSwitchLedger } from '../lambdas/adapters/aws/dynamodb-kill-switch-ledger';
import { DynamoDbRequestStore } from '../lambdas/adapters/aws/dynamodb-request-store';
import type { AgentHistoryStore } from '../lambdas/ports/agent-history-store';
import { historyStores } from '../lambdas/adapters/aws/agent-history-stores';
import { DynamoDbAuditLog } from '../lambdas/adapters/aws/dynamodb-audit-log';
import { listAuditEventsHandler } from '../lambdas/handlers/list-audit-events';
import { InProcessRequestChanges } from '../lambdas/adapters/local/in-process-request-changes';
import { createLocalJWKSet } from 'jose';
import { JoseHumanVerifier } from '../lambdas/adapters/jose-human-verifier';
import { Es256TokenVerifier } from '../lambdas/adapters/es256-token-verifier';
import { LocalKeySigner } from '../lambdas/adapters/local/local-key-signer';
import { logger } from '../lambdas/adapters/logger';
import { slackNotifier } from '../lambdas/adapters/slack/slack-notifier';
import { DynamoDbDigestBoard } from '../lambdas/adapters/aws/dynamodb-digest-board';
import { SlackOwnerNotifier } from '../lambdas/adapters/slack/slack-owner-notifier';
import { slackWebClient } from '../lambdas/adapters/slack/web-client';
import { ROUTES, type RouteName } from '../lambdas/api/routes';
import { AgentAdmission } from '../lambdas/domain/agents/agent-admission';
import { StepUpError } from '../lambdas/domain/errors';
import { parseConfig, serializeConfig, type StepUpConfig } from '../lambdas/domain/config/config';
import { awaitApprovalHandler } from '../lambdas/handlers/await-approval';
import { createRequestHandler } from '../lambdas/handlers/create-request';
import { expireRequestHandler } from '../lambdas/handlers/expire-request';
import { failRequestHandler } from '../lambdas/handlers/fail-request';
import { getRequestHandler } from '../lambdas/handlers/get-request';
import { cancelRequestHandler } from '../lambdas/handlers/cancel-request';
import { recordOutcomeHandler } from '../lambdas/handlers/record-outcome';
import { credentialsAwsHandler } from '../lambdas/handlers/credentials-aws';
import { handler as healthHandler } from '../lambdas/handlers/health';
import { accessEvaluationHandler } from '../lambdas/handlers/access-evaluation';
import { listAgentsHandler } from '../lambdas/handlers/list-agents';
import { accessEvaluationsHandler } from '../lambdas/handlers/access-evaluations';
import { elevationOptionsHandler } from '../lambdas/handlers/elevation-options';
import { mcpHandler } from '../lambdas/handlers/mcp';
import { protectedResourceMetadataHandler } from '../lambdas/handlers/protected-resource-metadata';
import { authzenConfigurationHandler } from '../lambdas/handlers/authzen-configuration';
import { serverMetadataHandler } from '../lambdas/handlers/server-metadata';
import { openApiHandler } from '../lambdas/handlers/open-api';
import { reconcileHandler } from '../lambdas/handlers/reconcile';
import { noMetrics } from '../lambdas/ports/operational-metrics';
import { revokeHandler } from '../lambdas/handlers/revoke';
import { introspectHandler } from '../lambdas/handlers/introspect';
import { jwksHandler } from '../lambdas/handlers/jwks';
import { notifyOutcomeHandler } from '../lambdas/handlers/notify-outcome';
import { slackEventsHandler } from '../lambdas/handlers/slack-events';
import { tokenHandler } from '../lambdas/handlers/token';
import { systemClock, type Clock } from '../lambdas/ports/clock';
import type { RequestStore } from '../lambdas/ports/request-store';
import { DEV_AUDIENCE, DEV_HUMAN_AUDIENCE, DevIdentity } from './dev-identity';
import { renderedClaims } from '../lambdas/adapters/api-gateway/authorizer-claims';
import { WorkloadTokenVerifier } from '../lambdas/adapters/workload-token-verifier';
import { consoleRoutes } from './console/routes';
import { devRoutes, type DevContext } from './dev-routes';
import { startHttpServer, type LambdaRoute } from './http-server';
import { localPasskeys, passkeyBaseUrl, passkeyHandlers } from './passkey-wiring';
import type { PasskeyStore } from '../lambdas/ports/passkey-store';
import { approvalPageUrl } from '../lambdas/adapters/passkey/approval-page-url';
import { SlackPeopleDirectory } from '../lambdas/adapters/slack/slack-people-directory';
import { startLocalDynamoDb, type LocalDynamoDb } from './local-dynamodb';
import { LOCAL_REGION, startLocalSts } from './local-sts';
import { LocalWorkflow, type WorkflowStepHandlers } from './local-workflow';
import { reconcileEvery, resumeExecutions } from './resume-executions';
import { SlackStandIn, type ClickInput } from './slack-stand-in';
import { startSocketMode } from './socket-mode';
import { synthesizeWorkflowDefinition, type StateMachineDefinition } from './synthesized-definition';
import { within } from './within';
import { AUDIT_EXPORT_FILE, LocalAuditExport } from './audit-export';

/**
 * How long shutdown waits for the workflow steps already running (a Slack call among them may never
 * answer) and then for each part to close, so that stopping always ends in a few seconds.
 */
const STOP_DRAIN_MS = 2000;
const STOP_CLOSE_MS = 1000;
/** How often the reconciler looks for decisions the workflow did not carry through (as in AWS). */
const RECONCILE_PERIOD_MS = 60_000;

/** What a caller gets before the runtime has started: every route works once `/health` says ok. */
const STILL_STARTING = () =>
  new StepUpError(
    'temporarily_unavailable',
    'stepup is still starting; try again shortly',
    {},
    {
      retryAfterSeconds: 1,
    },
  );

/** `STEPUP_PUBLIC_URL`, the tunnel real Slack posts clicks through; undefined when unset. */
function publicUrl(env: NodeJS.ProcessEnv): URL | undefined {
  const value = env.STEPUP_PUBLIC_URL;
  if (!value) return undefined;
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'https:' && url?.protocol !== 'http:')
    throw new StepUpError(
      'invalid_config',
      'STEPUP_PUBLIC_URL must be an http(s) URL, e.g. https://abc.example',
    );
  return url;
}

/** How to run the local runtime. Every option has a zero-configuration default. */
export interface LocalRuntimeOptions {
  /** @default `PORT`, else 3000; 0 picks a free port */
  readonly port?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** Keep everything in memory (nothing under the data dir). @default false */
  readonly memory?: boolean;
  /** @default `STEPUP_DATA_DIR`, else `.stepup` */
  readonly dataDir?: string;
  /** @default the file at `STEPUP_CONFIG`, else `stepup.config.json` */
  readonly config?: StepUpConfig;
  /** @default `STEPUP_POLICIES`, else `policies` */
  readonly policiesDir?: string;
  /** The ASL to run. @default synthesized from the CDK app now */
  readonly definition?: StateMachineDefinition;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Admit every workload token the dev issuer mints, besides the config's `agents.admit`.
   * `/dev/token` mints any `sub` for anyone who can reach it, so locally an admission list would
   * protect nothing and only break the zero-config walkthrough. Off: only the config's rules apply,
   * exactly as in AWS (the tests of `unknown_agent` run that way).
   * @default true
   */
  readonly admitDevIdentities?: boolean;
  /**
   * Wraps the workflow's step handlers before the interpreter gets them: tests inject faults into a
   * step this way (the real handler is passed in, to fail some calls and delegate the rest).
   * @default the handlers unchanged
   */
  readonly wrapSteps?: (steps: WorkflowStepHandlers) => WorkflowStepHandlers;
  /** Told each state a workflow execution enters (tests count the transitions Step Functions bills). */
  readonly onStateEntered?: (requestId: string, state: string) => void;
  /**
   * Called with the URL once the server listens, while the runtime is still starting (it answers
   * 503 until then); starting goes on when the returned promise settles. Tests observe that phase.
   */
  readonly onListening?: (url: string) => Promise<void>;
  /**
   * The time every handler and workflow step reads: tests move it forward to pass a deadline
   * without waiting for it. Tokens are still verified against the real time by `jose`.
   * @default the system clock
   */
  readonly clock?: Clock;
  /**
   * How long one kill switch call takes new work before it leaves the rest to the reconciler: tests
   * set 0 to hand a whole run to it.
   * @default 5 s, as in AWS
   */
  readonly killSwitchBudgetMs?: number;
  /**
   * Also write each exported audit event (the lines of `<data dir>/audit.jsonl`) to stdout.
   * @default false
   */
  readonly auditStdout?: boolean;
}

/** What routes need that exists only once the runtime has started. */
interface Started {
  readonly handlers: Readonly<Record<RouteName, LambdaRoute['handler']>>;
  readonly dev: DevContext;
  /** The workload authorizer: the config's issuers and the dev issuer, as the Lambda authorizer verifies. */
  readonly verifier: WorkloadTokenVerifier;
}

/** A running local stepup. */
export interface LocalRuntime {
  readonly url: string;
  readonly config: StepUpConfig;
  /** The Slack stand-in, unless real Slack credentials were given. */
  readonly slack?: SlackStandIn;
  readonly workflow: LocalWorkflow;
  readonly store: RequestStore;
  /** The agents' history counters (`context.history`, `GET /v1/agents`). */
  readonly history: AgentHistoryStore;
  /** Wakes long-polling token calls on the store's writes (tests see who waits). */
  readonly changes: InProcessRequestChanges;
  /** The local audit export (`<data dir>/audit.jsonl`); tests wait on `flushed()`. */
  readonly auditExport: LocalAuditExport;
  /** Approvers' passkeys and the one-time approval links. */
  readonly passkeys: PasskeyStore;
  /** Where approval pages are served: `localhost` (WebAuthn refuses IP addresses), or `STEPUP_PUBLIC_URL`. */
  readonly passkeyUrl: string;
  /** The dynalite-backed DynamoDB the store writes to (for inspection). */
  readonly dynamo: LocalDynamoDb;
  /** Where state is persisted, or undefined in memory mode. */
  readonly dataDir?: string;
  /** A dev workload JWT for `sub`, with extra string claims, valid `ttlSeconds` (default 3600; negative: already expired). */
  devToken(sub: string, claims?: Readonly<Record<string, string>>, ttlSeconds?: number): Promise<string>;
  /** Sends a correctly signed Approve/Deny click to `/slack/events`, as Slack would. */
  click(input: ClickInput): Promise<Response>;
  /** One run of the reconciler now, as the schedule runs it every minute (tests need not wait for it). */
  reconcile(): Promise<{ completed: number; killSwitchesCompleted: number }>;
  stop(): Promise<void>;
}

/**
 * Starts the whole service in one process: dynalite, the CDK-synthesized state machine on a local
 * interpreter, the Lambda handlers behind an API-Gateway-shaped HTTP server, and Slack (real, or a
 * stand-in that records messages and signs clicks).
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const env = options.env ?? process.env;
  // The handlers get the config as a deployed function does: serialised into its environment and
  // parsed back, so a config that cannot make that trip fails here as it would in AWS.
  const config = parseConfig(JSON.parse(serializeConfig(options.config ?? loadConfigFile())));
  const policiesDir = options.policiesDir ?? policiesPath(env);
  const policy = cedarPolicyFromDirectory(config, policiesDir);
  const definition = options.definition ?? synthesizeWorkflowDefinition(config, policiesDir);
  const dataDir = options.memory ? undefined : resolve(options.dataDir ?? env.STEPUP_DATA_DIR ?? '.stepup');
  const dynamo = await startLocalDynamoDb(dataDir && join(dataDir, 'dynamodb'));
  // Every writer uses the watched store, so a long-polling token call wakes on the write itself.
  const changes = new InProcessRequestChanges();
  // …and exports the audit events each write added (`audit.jsonl`, stdout with `auditStdout`).
  const auditExport = new LocalAuditExport(
    dataDir && join(dataDir, AUDIT_EXPORT_FILE),
    options.auditStdout ? (line) => process.stdout.write(`${line}\n`) : undefined,
  );
  const counted = historyStores(
    auditExport.watchStore(new DynamoDbRequestStore(dynamo.client, dynamo.tableName)),
    dynamo.client,
    dynamo.tableName,
    (error) => logger.error('history count failed', { error: error as Error }),
    config.limits.deduplicate === true,
  );
  const store = changes.watch(counted.store);
  const killSwitches = new DynamoDbKillSwitchLedger(dynamo.client, dynamo.tableName);
  const auditLog = auditExport.watchLog(new DynamoDbAuditLog(dynamo.client, dynamo.tableName));
  const signer = await LocalKeySigner.open(dataDir && join(dataDir, 'signing-key.jwk.json'));

  // Real Slack: over HTTP (signing secret; Slack must reach /slack/events) or Socket Mode (app token).
  const realSlack = Boolean(env.SLACK_BOT_TOKEN && (env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN));
  const botToken = env.SLACK_BOT_TOKEN ?? 'xoxb-stepup-local-stand-in';
  const signingSecret = env.SLACK_SIGNING_SECRET ?? randomBytes(32).toString('hex');
  const slack = realSlack
    ? undefined
    : new SlackStandIn(
        botToken,
        signingSecret,
        config.slack.teamId,
        dataDir && join(dataDir, 'slack-stand-in.json'),
      );

  // Set once everything has started (the last step of starting); until then every route that
  // needs it, `/health` included, answers 503 `temporarily_unavailable` with Retry-After.
  let live: Started | undefined = undefined;
  const started = () => {
    if (!live) throw STILL_STARTING();
    return live;
  };
  // The routes of `lambdas/api/routes.ts`, each calling its handler once the runtime has started.
  // Real Slack posts to the Slack-signed route, through a tunnel when STEPUP_PUBLIC_URL is set.
  const lambdaRoutes: LambdaRoute[] = ROUTES.map((route) => ({
    method: route.method,
    path: route.path,
    auth: route.auth.kind === 'workload',
    // The approval pages are opened by approvers' browsers, through the tunnel too.
    public: route.auth.kind === 'slack' || route.name.startsWith('approval'),
    handler: async (event) => started().handlers[route.name](event),
  }));

  const { server, url } = await startHttpServer({
    lambdaRoutes,
    localRoutes: [...devRoutes(slack, () => started().dev), ...consoleRoutes({ slack, store, config })],
    authorize: async (bearer) => renderedClaims(await started().verifier.verify(bearer)),
    port: options.port ?? Number(env.PORT ?? 3000),
    host: options.host ?? '127.0.0.1',
    publicUrl: publicUrl(env),
    onError: (error) => logger.error('local runtime error', { error: error as Error }),
  });
  await options.onListening?.(url);
  const passkeyUrl = passkeyBaseUrl(url, publicUrl(env));
  const { passkeys, ceremony } = localPasskeys(dynamo.client, dynamo.tableName, passkeyUrl);
  const pageUrl = (secret: string) => approvalPageUrl(passkeyUrl, secret);

  const identity = await DevIdentity.open(`${url}/dev`, dataDir && join(dataDir, 'dev-issuer-key.jwk.json'));
  const slackApiUrl = env.SLACK_API_URL ?? (slack ? `${url}/slack/api/` : undefined);
  const notifier = slackNotifier(botToken, { apiUrl: slackApiUrl });
  const digest = { board: new DynamoDbDigestBoard(dynamo.client, dynamo.tableName), notifier };
  const owners = {
    agents: config.agents,
    notifier: new SlackOwnerNotifier(async () =>
      slackWebClient(botToken, { apiUrl: slackApiUrl, profile: 'posting' }),
    ),
    claims: new DynamoDbOwnerNoticeClaims(dynamo.client, dynamo.tableName),
  };
  const devRule = { claims: { iss: identity.issuer } };
  const admission = new AgentAdmission(
    config.agents,
    config.operators,
    options.admitDevIdentities === false ? [] : [devRule],
  );
  const clock = options.clock ?? systemClock;
  const steps: WorkflowStepHandlers = {
    // The workflow runs these steps, and AwaitApproval resumes it: bound once both exist.
    AwaitApproval: awaitApprovalHandler({
      store,
      notifier,
      config,
      clock,
      workflow: { sendTaskSuccess: (token, outcome) => workflow.sendTaskSuccess(token, outcome) },
      digest,
    }),
    Expire: expireRequestHandler({ store, clock }),
    RecordFailure: failRequestHandler({ store, clock }),
    NotifyOutcome: notifyOutcomeHandler({ store, notifier, clock, owners, digest }),
  };
  const workflow = new LocalWorkflow(
    definition,
    options.wrapSteps ? options.wrapSteps(steps) : steps,
    (requestId, error) =>
      logger.error('workflow execution failed', { request_id: requestId, error: error as Error }),
    options.onStateEntered,
  );
  const verifier = new Es256TokenVerifier(signer, url);
  // Locally the dev issuer stands in for the humans' identity provider, as it does for workloads.
  const humanVerifier = new JoseHumanVerifier({
    issuer: identity.humanIssuer,
    audience: DEV_HUMAN_AUDIENCE,
    keys: createLocalJWKSet(identity.jwks()),
    claim: 'email',
  });
  const sts = await startLocalSts(config);
  // The AuthZEN routes decide as createRequest does: the same policy, human verifier and targets.
  const accessEvaluation = {
    history: counted.history,
    clock,
    policy,
    humanVerifier,
    awsTargets: config.awsTargets,
    admission,
    requestEndpoint: `${url}/v1/requests`,
  };
  // POST /v1/requests and the DTR token exchange at /v1/token create through one use case.
  const createDeps = {
    store,
    idempotency: new DynamoDbIdempotencyStore(dynamo.client, dynamo.tableName),
    workflow,
    policy,
    clock,
    humanVerifier,
    awsTargets: config.awsTargets,
    admission,
    history: counted.history,
    gate: { limits: counted.limits, limitsConfig: config.limits },
    owners,
  };
  const handlers: Record<RouteName, LambdaRoute['handler']> = {
    health: healthHandler,
    jwks: jwksHandler({ signer }),
    serverMetadata: serverMetadataHandler({ issuer: url }),
    authzenConfiguration: authzenConfigurationHandler({ issuer: url }),
    openApi: openApiHandler({ issuer: url }),
    slackEvents: slackEventsHandler({
      credentials: async () => ({ signingSecret, botToken }),
      slackApiUrl,
      store,
      refusals: auditLog,
      workflow,
      config,
      clock,
      passkey: { passkeys, pageUrl },
      killSwitch: { store, killSwitches, workflow, clock, agents: config.agents, owners },
    }),
    ...passkeyHandlers({
      store,
      workflow,
      notifier,
      directory: new SlackPeopleDirectory(slackWebClient(botToken, { apiUrl: slackApiUrl })),
      config,
      clock,
      passkeys,
      ceremony,
      admission,
    }),
    createRequest: createRequestHandler(createDeps),
    listAgents: listAgentsHandler({
      history: counted.history,
      killSwitches,
      operators: config.operators,
      clock,
      admission,
    }),
    accessEvaluation: accessEvaluationHandler(accessEvaluation),
    accessEvaluations: accessEvaluationsHandler(accessEvaluation),
    elevationOptions: elevationOptionsHandler(accessEvaluation),
    mcp: mcpHandler({ admission, apiUrl: url }),
    protectedResourceMetadata: protectedResourceMetadataHandler({
      apiUrl: url,
      workloadIssuers: [
        ...new Set([identity.issuer, ...config.auth.issuers.map((trusted) => trusted.issuer)]),
      ],
    }),
    getRequest: getRequestHandler({ store, admission }),
    listAuditEvents: listAuditEventsHandler({ log: auditLog, operators: config.operators, admission }),
    cancelRequest: cancelRequestHandler({ store, workflow, notifier, clock, admission, digest }),
    recordOutcome: recordOutcomeHandler({ store, clock, admission }),
    token: tokenHandler({
      store,
      changes,
      signer,
      clock,
      issuer: url,
      admission,
      create: async () => createDeps,
    }),
    introspect: introspectHandler({ store, verifier, clock, admission }),
    credentialsAws: credentialsAwsHandler({
      store,
      verifier,
      clock,
      sessions: sts.sessions,
      targets: config.awsTargets,
      defaultRegion: LOCAL_REGION,
      admission,
    }),
    revoke: revokeHandler({
      store,
      killSwitches,
      killSwitchBudgetMs: options.killSwitchBudgetMs,
      verifier,
      workflow,
      notifier,
      clock,
      operators: config.operators,
      admission,
      owners,
      digest,
    }),
  };

  // Before the API serves a click: decisions from before a crash are carried through, and resumed
  // executions hold their task tokens (resume-executions.ts).
  if (dataDir) {
    const { resumed, completed, failed } = await resumeExecutions(
      { store, notifier, clock, digest },
      workflow,
    );
    if (resumed.length + completed.length + failed.length > 0)
      logger.info('recovered unfinished workflows', { resumed, completed, failed });
  }
  const reconcile = reconcileHandler({
    store,
    killSwitches,
    workflow,
    notifier,
    clock,
    metrics: noMetrics,
    owners,
    digest,
  });
  const stopReconciler = reconcileEvery(() => reconcile(), RECONCILE_PERIOD_MS);

  const click = async (input: ClickInput): Promise<Response> => {
    if (!slack) throw new Error('clicks are simulated only with the Slack stand-in');
    const post = (signed: { body: string; headers: Record<string, string> }) =>
      fetch(`${url}/slack/events`, { method: 'POST', headers: signed.headers, body: signed.body });
    const signed = slack.click(input);
    const clicked = await post(signed);
    if (input.decision !== 'deny') return clicked;
    // Deny opens a dialog; the approver types the reason and submits it, as in Slack.
    const submission = slack.submitDialog(
      signed.triggerId,
      input.user,
      {
        reason: { reason_input: input.reason ?? 'denied by the approver' },
      },
      input.team,
    );
    return submission ? post(submission) : clicked;
  };
  const stopSocketMode =
    env.SLACK_APP_TOKEN && env.SLACK_BOT_TOKEN
      ? await startSocketMode(env.SLACK_APP_TOKEN, env.SLACK_BOT_TOKEN, {
          store,
          refusals: auditLog,
          workflow,
          config,
          clock,
          client: slackWebClient(botToken, { apiUrl: slackApiUrl }),
          passkey: { passkeys, pageUrl },
          killSwitch: { store, killSwitches, workflow, clock, agents: config.agents, owners },
        })
      : undefined;
  const workloadVerifier = new WorkloadTokenVerifier([
    ...config.auth.issuers,
    { issuer: identity.issuer, audience: [DEV_AUDIENCE], keys: createLocalJWKSet(identity.jwks()) },
  ]);
  live = { handlers, dev: { identity, click }, verifier: workloadVerifier };

  return {
    url,
    config,
    slack,
    workflow,
    store,
    history: counted.history,
    changes,
    auditExport,
    passkeys,
    passkeyUrl,
    dynamo,
    dataDir,
    devToken: (sub, claims, ttlSeconds) => identity.mint(sub, ttlSeconds, claims),
    click,
    reconcile: () => reconcile(),
    stop: async () => {
      stopReconciler();
      if (stopSocketMode) await within(stopSocketMode(), STOP_CLOSE_MS);
      if (!(await within(workflow.stopAll(), STOP_DRAIN_MS)))
        logger.warn(
          'stopping while workflow steps still run (a Slack call, say); their requests stay as stored',
        );
      await within(
        new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
        STOP_CLOSE_MS,
      );
      await within(sts.close(), STOP_CLOSE_MS);
      await within(dynamo.close(), STOP_CLOSE_MS);
    },
  };
}
