import { join } from 'node:path';
import { HttpApiStandIn, WorkloadIssuer, type ApiResponse } from './api-gateway';
import { OidcIssuersStandIn } from './oidc-issuers';
import type { FakeAccount } from './aws/account';
import { startAccount, type RunningAccount } from './aws/start-account';
import type { TargetRole } from './aws/sts';
import { AWS_TARGET, DEPLOYED_ENV, readTemplate, SPIRE_ISSUER } from './cloud-assembly';
import type { DeployedArtifacts } from './global-setup';
import { LambdaService } from './lambda-host';
import { newSlackCredentials, SlackWebApi, type SlackAppCredentials } from './slack-api';

/** The sample config's workload audience and Slack team (what the template's authorizer and config carry). */
interface SampleConfig {
  readonly auth: { readonly issuers: readonly { issuer: string; audience: readonly string[] }[] };
  readonly slack: { readonly teamId: string };
}

/**
 * The stack as deployed, on this machine: the account's stand-ins (part 1, `aws/`), every function
 * bundle in its own Lambda host, the HTTP API in front of them, and Slack's Web API.
 */
export interface Deployment {
  readonly aws: RunningAccount;
  readonly lambdas: LambdaService;
  readonly api: HttpApiStandIn;
  readonly slack: SlackWebApi;
  /** The GitHub Actions issuer (the sample's), which the scenarios' agents use. */
  readonly issuer: WorkloadIssuer;
  /** The SPIRE OIDC discovery provider's issuer: SPIFFE JWT-SVIDs (`sub` = `spiffe://…`). */
  readonly spiffeIssuer: WorkloadIssuer;
  /** The Slack app's bot token and signing secret, as put into the Slack secret. */
  readonly slackCredentials: SlackAppCredentials;
  /** Puts the Slack app's credentials into the secret (what an operator does after deploying). */
  connectSlack(): void;
  /** Sends a signed Slack request (a click, a dialog submission) to `/slack/events` through API Gateway. */
  sendToSlackEvents(signed: {
    readonly body: string;
    readonly headers: Record<string, string>;
  }): Promise<ApiResponse>;
  /** Every access token the token endpoint delivered (the suite checks no log holds one). */
  readonly issuedTokens: string[];
  /** Every task token the workflow handed to a function. */
  readonly taskTokens: readonly string[];
  stop(): Promise<void>;
}

/**
 * The suite's AWS target role as docs/aws-credentials.md tells a team to create it: trusting only
 * the exchange function's role, and only with a SourceIdentity.
 */
function exchangeTargetRole(account: FakeAccount): TargetRole {
  const exchange = account.functions().find((fn) => fn.logicalId.includes('CredentialsAws'));
  if (!exchange) throw new Error('the template has no credentials exchange function');
  const principal = { AWS: account.getAtt(exchange.roleLogicalId, 'Arn') };
  return {
    roleArn: AWS_TARGET.roleArn,
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: principal,
          Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
          Condition: { StringLike: { 'sts:SourceIdentity': '*' } },
        },
        { Effect: 'Allow', Principal: principal, Action: 'sts:TagSession' },
      ],
    },
  };
}

/** The config the template carries (`STEPUP_CONFIG_JSON` of the Slack function). */
function templateConfig(aws: RunningAccount): SampleConfig {
  const slackFn = aws.account.functions().find((fn) => fn.logicalId.includes('SlackEvents'));
  if (!slackFn) throw new Error('the template has no Slack events function');
  return JSON.parse(aws.account.functionEnvironment(slackFn.logicalId).STEPUP_CONFIG_JSON!) as SampleConfig;
}

/** The sample config's workload issuer (GitHub Actions). */
const SAMPLE_ISSUER = 'https://token.actions.githubusercontent.com';

/** The identity the sample config's `agents.admit` names (the example repository's main branch). */
export const SAMPLE_AGENT_SUB = 'repo:example-org/example-repo:ref:refs/heads/main';

/** A step-up request under the example policies (`drop-prod-table`: db-owners approve). */
/** Agents may read logs alone (policy `read-logs`): auto-approved, a grant at once, no Slack. */
export const READ_LOGS = {
  action: 'logs:Read',
  resource: 'prod/orders-api',
  audience: 'orders-db',
  justification: 'debug the 500s',
};

export const DROP_TABLE = {
  action: 'db:DropTable',
  resource: 'prod/orders',
  audience: 'orders-db',
  justification: 'drop the legacy orders table after the migration',
};

/**
 * The deployed name of the function with construct id `constructId` (e.g. `IssueGrant`: logical id
 * `StepUpIssueGrant` plus CDK's 8-character hash).
 * @throws Error when the template has no such function
 */
export function functionNamed(deployment: Pick<Deployment, 'aws'>, constructId: string): string {
  const fn = deployment.aws.account
    .functions()
    .find((f) => f.logicalId.replace(/[0-9A-F]{8}$/, '') === `StepUp${constructId}`);
  if (!fn) throw new Error(`no function ${constructId} in the template`);
  return fn.functionName;
}

/** `environment` with its `STEPUP_CONFIG_JSON` (if it has one) replaced by `configJson` (if given). */
function withConfig(
  environment: Readonly<Record<string, string>>,
  configJson?: string,
): Readonly<Record<string, string>> {
  if (configJson === undefined || environment.STEPUP_CONFIG_JSON === undefined) return environment;
  return { ...environment, STEPUP_CONFIG_JSON: configJson };
}

/**
 * Deploys the synthesized assembly onto the stand-ins. The additions to the template's
 * environment are `SLACK_API_URL` (a documented test override: production talks to Slack itself),
 * pointing the functions at the Slack stand-in, and `STEPUP_SUITE_REDIRECTS`, read only by the
 * hosts' network guard (never by a bundle), pointing the issuers' URLs at their OIDC stand-in.
 */
export async function deploy(
  artifacts: DeployedArtifacts,
  options: {
    /**
     * Put the Slack app's credentials into the secret, as an operator does after `cdk deploy`. Off:
     * the secret keeps the placeholder a fresh deploy holds ({@link Deployment.connectSlack} later).
     * @default true
     */
    readonly connectSlack?: boolean;
    /**
     * `STEPUP_CONFIG_JSON` for every function the template gives one, instead of the template's
     * (e.g. the shipped sample as `setConfig` serialises it).
     * @default the template's
     */
    readonly configJson?: string;
  } = {},
): Promise<Deployment> {
  const template = readTemplate(artifacts.assemblyDir);
  // The workflow invokes functions whose hosts need the account's endpoints and credentials first.
  const late: { lambdas?: LambdaService } = {};
  const taskTokens: string[] = [];
  const aws = await startAccount(template, {
    ...DEPLOYED_ENV,
    targetRoles: (account) => [exchangeTargetRole(account)],
    invokeLambda: (functionArn, payload) => {
      // The workflow hands task tokens to functions only in their payload; remember them for the log check.
      const token = (payload as { task_token?: unknown } | null)?.task_token;
      if (typeof token === 'string') taskTokens.push(token);
      return late.lambdas!.invoke(functionArn, payload);
    },
  });
  const config = templateConfig(aws);
  const slackCredentials = newSlackCredentials();
  const slack = await SlackWebApi.start(slackCredentials, config.slack.teamId);
  // What an operator does after `cdk deploy` (put-secret-value): the Slack app's real credentials
  // replace the generated placeholder in the template's secret.
  const [secretLogicalId] = aws.account.logicalIdsOfType('AWS::SecretsManager::Secret');
  const connectSlack = () =>
    aws.secretsManager.setSecretString(secretLogicalId!, JSON.stringify(slackCredentials));
  if (options.connectSlack ?? true) connectSlack();

  const issuerOf = (url: string) => {
    const found = config.auth.issuers.find((i) => i.issuer === url);
    if (!found) throw new Error(`the template's config does not trust ${url}`);
    return found;
  };
  const github = issuerOf(SAMPLE_ISSUER);
  const spire = issuerOf(SPIRE_ISSUER);
  const issuer = await WorkloadIssuer.create(github.issuer, github.audience[0]!);
  const spiffeIssuer = await WorkloadIssuer.create(spire.issuer, spire.audience[0]!, 'RS256');
  const oidc = await OidcIssuersStandIn.start([issuer, spiffeIssuer]);

  const lambdas = new LambdaService(
    aws.account.functions().map((definition) => ({
      definition,
      taskRoot: join(artifacts.assemblyDir, definition.assetPath),
      environment: withConfig(aws.account.functionEnvironment(definition.logicalId), options.configJson),
      credentials: aws.principals.forFunction(definition.logicalId),
    })),
    {
      nodeExecPath: artifacts.nodeExecPath,
      sdkNodePath: artifacts.sdkNodePath,
      region: DEPLOYED_ENV.region,
      endpoints: aws.endpoints,
      overrides: { SLACK_API_URL: slack.url, STEPUP_SUITE_REDIRECTS: oidc.redirects() },
    },
  );
  late.lambdas = lambdas;
  const api = HttpApiStandIn.fromAccount(aws.account, lambdas);
  return {
    aws,
    lambdas,
    api,
    slack,
    issuer,
    spiffeIssuer,
    slackCredentials,
    connectSlack,
    sendToSlackEvents: (signed) =>
      api.request({ method: 'POST', path: '/slack/events', headers: signed.headers, body: signed.body }),
    issuedTokens: [],
    taskTokens,
    async stop() {
      lambdas.stop();
      await slack.stop();
      await oidc.stop();
      await aws.close();
    },
  };
}

/** An agent (or resource server): a workload identity calling the API with its own JWT. */
export class Workload {
  constructor(
    private readonly deployment: Deployment,
    /** The workload's OIDC `sub`. */
    readonly sub: string,
    /** Who issues its tokens. @default the deployment's GitHub Actions issuer */
    private readonly issuer: WorkloadIssuer = deployment.issuer,
  ) {}

  private async authorization(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.issuer.token(this.sub)}` };
  }

  async postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    return this.deployment.api.request({
      method: 'POST',
      path,
      headers: { ...headers, ...(await this.authorization()), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async postForm(path: string, fields: Record<string, string>): Promise<ApiResponse> {
    return this.deployment.api.request({
      method: 'POST',
      path,
      headers: { ...(await this.authorization()), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async get(path: string): Promise<ApiResponse> {
    return this.deployment.api.request({ method: 'GET', path, headers: await this.authorization() });
  }

  /** `POST /v1/requests`. */
  request(body: Record<string, unknown>): Promise<ApiResponse> {
    return this.postJson('/v1/requests', body);
  }

  /** One CIBA token poll; with `wait`, a long-poll held up to that many seconds for the decision. */
  async poll(requestId: string, wait?: number): Promise<ApiResponse> {
    const response = await this.postForm('/v1/token', {
      grant_type: 'urn:openid:params:grant-type:ciba',
      auth_req_id: requestId,
      ...(wait === undefined ? {} : { wait: String(wait) }),
    });
    const token = (response.json as { access_token?: unknown } | undefined)?.access_token;
    if (typeof token === 'string') this.deployment.issuedTokens.push(token);
    return response;
  }

  /** `POST /v1/introspect` (as the resource server this workload is). */
  introspect(token: string): Promise<ApiResponse> {
    return this.postForm('/v1/introspect', { token });
  }
}
