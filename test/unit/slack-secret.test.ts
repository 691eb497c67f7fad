/**
 * The Slack secret in AWS, against a Secrets Manager stand-in speaking its JSON protocol: the value is
 * cached for SLACK_SECRET_MAX_AGE_SECONDS and then re-read (a new signing secret is accepted by Bolt
 * from then on), and while it still holds the deploy-time placeholder, POST /v1/requests answers 503
 * before creating anything. Time is driven by faking `Date` (which Powertools' cache reads); no sleeps.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpEvent } from '../../lambdas/adapters/api-gateway/http-event';
import { DynamoDbIdempotencyStore } from '../../lambdas/adapters/aws/dynamodb-idempotency-store';
import type { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import { SLACK_SECRET_MAX_AGE_SECONDS, slackCredentials } from '../../lambdas/adapters/aws/slack-secret';
import { SlackSecretStatus, UNFILLED_RECHECK_SECONDS } from '../../lambdas/adapters/aws/slack-secret-status';
import { fromSlackSecret } from '../../lambdas/adapters/aws/slack-session';
import { loadConfigFile } from '../../lambdas/adapters/config-file';
import { cedarPolicyFromDirectory } from '../../lambdas/adapters/cedar/policy-directory';
import { SLACK_BOT_TOKEN_PLACEHOLDER } from '../../lambdas/adapters/slack/slack-credentials';
import { AgentAdmission } from '../../lambdas/domain/agents/agent-admission';
import { createRequestHandler } from '../../lambdas/handlers/create-request';
import { slackEventsHandler } from '../../lambdas/handlers/slack-events';
import type { Workflow, WorkflowInput } from '../../lambdas/ports/workflow';
import type { LocalDynamoDb } from '../../local/local-dynamodb';
import { slackSignatureHeaders } from '../../local/slack-signature';
import { SecretsManagerStandIn } from './support/secrets-manager-stand-in';
import { RecordingWorkflow, TEAM, rejectionOf, testConfig, useDynaliteStore } from './support/fixtures';
import { registeredAgent } from '../helpers/registered-agent';

const secrets = new SecretsManagerStandIn();
const T0 = new Date('2030-01-02T03:04:05.000Z').getTime();
const credentials = (botToken: string, signingSecret: string) => JSON.stringify({ botToken, signingSecret });

let store: DynamoDbRequestStore;
let db: LocalDynamoDb;
useDynaliteStore((s, d) => ((store = s), (db = d)));

beforeAll(async () => {
  vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', await secrets.start());
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
});
afterEach(() => {
  vi.useRealTimers();
  clearCaches();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await secrets.stop();
});

/** Sets the faked wall clock to `seconds` after T0. */
const at = (seconds: number) => vi.setSystemTime(T0 + seconds * 1000);

/** A deny-dialog submission without a reason: answered by Bolt alone (no Slack call, no store access). */
function emptyDialogSubmission(signingSecret: string): HttpEvent {
  const payload = {
    type: 'view_submission',
    team: { id: TEAM },
    user: { id: 'U0ALICE', team_id: TEAM },
    view: {
      callback_id: 'stepup_deny_reason',
      private_metadata: '{}',
      state: { values: { reason: { reason_input: { type: 'plain_text_input', value: '' } } } },
    },
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return {
    routeKey: 'POST /slack/events',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...slackSignatureHeaders(signingSecret, body),
    },
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST', path: '/slack/events' } },
  } as unknown as HttpEvent;
}

describe('the Slack secret is cached for its max age, then re-read', () => {
  it('uses a changed secret only after SLACK_SECRET_MAX_AGE_SECONDS', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(0);
    const arn = secrets.create('stepup-slack-ttl', credentials('xoxb-one', 'secret-one'));
    vi.stubEnv('SLACK_SECRET_ARN', arn);
    expect((await slackCredentials()).botToken).toBe('xoxb-one');
    secrets.put(arn, credentials('xoxb-two', 'secret-two'));
    at(SLACK_SECRET_MAX_AGE_SECONDS - 1);
    expect((await slackCredentials()).botToken).toBe('xoxb-one');
    expect(secrets.calls.GetSecretValue).toBe(1);
    at(SLACK_SECRET_MAX_AGE_SECONDS + 1);
    expect(await slackCredentials()).toEqual({ botToken: 'xoxb-two', signingSecret: 'secret-two' });
  });

  it('Bolt accepts a new signing secret once the cache has expired, and the old one no more', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(0);
    const arn = secrets.create('stepup-slack-rotate', credentials('xoxb-one', 'old-signing-secret'));
    vi.stubEnv('SLACK_SECRET_ARN', arn);
    const handle = slackEventsHandler({
      credentials: slackCredentials,
      store,
      workflow: new RecordingWorkflow(),
      config: testConfig(),
      clock: { now: () => new Date() },
    });
    expect((await handle(emptyDialogSubmission('old-signing-secret'))).statusCode).toBe(200);

    secrets.put(arn, credentials('xoxb-one', 'new-signing-secret'));
    at(SLACK_SECRET_MAX_AGE_SECONDS - 1);
    expect((await handle(emptyDialogSubmission('new-signing-secret'))).statusCode).toBe(401);
    at(SLACK_SECRET_MAX_AGE_SECONDS + 1);
    expect((await handle(emptyDialogSubmission('new-signing-secret'))).statusCode).toBe(200);
    expect((await handle(emptyDialogSubmission('old-signing-secret'))).statusCode).toBe(401);
  });
});

/** Records started executions (the request function's only use of the workflow). */
class StartedWorkflow implements Workflow {
  readonly started: WorkflowInput[] = [];
  async start(input: WorkflowInput) {
    this.started.push(input);
  }
  async sendTaskSuccess() {
    return 'resumed' as const;
  }
  async stop() {}
}

async function itemCount(): Promise<number> {
  return (await db.client.send(new ScanCommand({ TableName: db.tableName }))).Count ?? 0;
}

describe('while the Slack secret holds the deploy-time placeholder', () => {
  const placeholder = JSON.stringify({ botToken: SLACK_BOT_TOKEN_PLACEHOLDER, signingSecret: 'generated' });

  it('POST /v1/requests answers 503 with what to do and Retry-After, and creates nothing; filled, it works', async () => {
    const arn = secrets.create('stepup-slack-placeholder', placeholder);
    let now = T0;
    const workflow = new StartedWorkflow();
    const config = loadConfigFile('stepup.config.json');
    const handle = createRequestHandler({
      store,
      idempotency: new DynamoDbIdempotencyStore(db.client, db.tableName),
      workflow,
      policy: cedarPolicyFromDirectory(config),
      clock: { now: () => new Date(now) },
      admission: new AgentAdmission({ admit: [registeredAgent({ sub: 'deploy-bot' })] }),
      paging: new SlackSecretStatus(new SecretsManagerClient({}), arn, () => now),
    });
    const event = {
      routeKey: 'POST /v1/requests',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        action: 'db:DropTable',
        resource: 'prod/orders',
        audience: 'orders-db',
        justification: 'drop the legacy orders table',
      }),
      isBase64Encoded: false,
      requestContext: { authorizer: { jwt: { claims: { sub: 'deploy-bot' } } } },
    } as unknown as HttpEvent;
    const before = await itemCount();

    const refused = await handle(event);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers).toMatchObject({ 'retry-after': String(UNFILLED_RECHECK_SECONDS) });
    const body = JSON.parse(refused.body ?? '{}') as Record<string, string>;
    expect(body.error).toBe('temporarily_unavailable');
    expect(body.error_description).toContain(
      'botToken and signingSecret into secret stepup-slack-placeholder',
    );
    expect(body.error_description).toContain('README');
    expect(await itemCount()).toBe(before);
    expect(workflow.started).toEqual([]);

    secrets.put(arn, credentials('xoxb-real', 'real-signing-secret'));
    expect((await handle(event)).statusCode).toBe(503); // the unfilled answer is reused for a while
    now += UNFILLED_RECHECK_SECONDS * 1000;
    expect((await handle(event)).statusCode).toBe(202);
    expect(workflow.started).toHaveLength(1);
    const describes = secrets.calls.DescribeSecret;
    await handle(event);
    expect(secrets.calls.DescribeSecret).toBe(describes); // filled stays filled: no more calls
  });

  it('the Slack functions refuse with slack_not_configured instead of calling Slack', async () => {
    const arn = secrets.create('stepup-slack-placeholder-worker', placeholder);
    vi.stubEnv('SLACK_SECRET_ARN', arn);
    const built: string[] = [];
    const notifier = fromSlackSecret((c) => built.push(c.botToken), 'awaitApproval');
    expect(await rejectionOf(notifier())).toMatchObject({
      code: 'slack_not_configured',
      message: expect.stringContaining('secret stepup-slack-placeholder-worker'),
    });
    expect(built).toEqual([]);
  });
});
