import { App, AwsLambdaReceiver, isValidSlackRequest } from '@slack/bolt';
import type { AwsEvent } from '@slack/bolt/dist/receivers/AwsLambdaReceiver';
import { json, type HttpEvent, type HttpResult } from '../adapters/api-gateway/http-event';
import { envConfig } from '../adapters/env-config';
import { killSwitchLedger, tableStore } from '../adapters/aws/table-clients';
import { taskResponder } from '../adapters/aws/workflow-clients';
import { emfMetrics } from '../adapters/aws/emf-metrics';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { slackCredentials } from '../adapters/aws/slack-secret';
import { fromSlackSecret } from '../adapters/aws/slack-session';
import { logger } from '../adapters/logger';
import { registerApprovalListeners } from '../adapters/slack/approval-listeners';
import { boltLogger } from '../adapters/slack/bolt-logger';
import {
  UNREADABLE,
  interactionPayloadOf,
  isHandledInteraction,
} from '../adapters/slack/interaction-payload';
import { SlackNotConfiguredError } from '../adapters/slack/placeholder-secret';
import { prepareSlackEvent } from '../adapters/slack/signed-request';
import type { SlackCredentials } from '../adapters/slack/slack-credentials';
import { slackClientOptions, slackWebClient } from '../adapters/slack/web-client';
import type { StepUpConfig } from '../domain/config/config';
import { systemClock, type Clock } from '../ports/clock';
import type { OperationalMetrics } from '../ports/operational-metrics';
import type { RequestStore } from '../ports/request-store';
import type { AuditLog } from '../ports/audit-log';
import { auditLog } from '../adapters/aws/audit-clients';
import type { Workflow } from '../ports/workflow';
import type { PasskeyClickDeps } from '../adapters/slack/passkey-click';
import { passkeyStore } from '../adapters/aws/table-clients';
import { approvalPageUrl } from '../adapters/passkey/approval-page-url';
import { ENV, requireEnv } from '../adapters/env';
import type { KillSwitchListenerDeps } from '../adapters/slack/kill-switch-listener';
import { stateMachineWorkflow } from '../adapters/aws/workflow-clients';
import { ownerNotices } from '../adapters/aws/owner-notices';

/** What the Slack ingress needs. */
export interface SlackEventsDeps {
  /**
   * The current Slack credentials, asked on every event; Bolt is rebuilt when they change, so a new
   * signing secret or bot token is accepted as soon as this returns it.
   * @throws SlackNotConfiguredError while they are the deploy-time placeholder (answered 503)
   */
  readonly credentials: () => Promise<SlackCredentials>;
  /** Slack Web API base URL. @default `SLACK_API_URL`, else Slack's own */
  readonly slackApiUrl?: string;
  readonly store: RequestStore;
  readonly workflow: Pick<Workflow, 'sendTaskSuccess'>;
  readonly config: StepUpConfig;
  readonly clock: Clock;
  /** Where refused clicks are stored (beside their request). */
  readonly refusals?: Pick<AuditLog, 'recordRefusal'>;
  /** Answers clicks on passkey requests with a link to the approval page. */
  readonly passkey?: PasskeyClickDeps;
  /** The owners' kill switch button (in the DMs that tell owners about their agent). */
  readonly killSwitch?: KillSwitchListenerDeps;
  /**
   * Where `SlackCallFailed` is counted.
   * @default noMetrics
   */
  readonly metrics?: OperationalMetrics;
}

const unauthorized: HttpResult = json(401, {
  error: 'invalid_signature',
  error_description: 'request signature rejected',
});
const unreadable: HttpResult = json(400, {
  error: 'invalid_request',
  error_description: 'unreadable Slack payload: expected a form with one JSON payload field',
});
/** Slack's acknowledgement: 200 with an empty body (for a dialog: close it). */
const acknowledged: HttpResult = { statusCode: 200, body: '' };

/**
 * Bolt for one set of credentials. `authorize` answers with the known bot identity (the bot token
 * and the configured workspace), so Bolt never calls `auth.test`: with only a `token` it calls it
 * for every event, spending Slack's 3 s on a round trip. The bot's own user and bot ids are not
 * needed: they serve only `ignoreSelf`, which filters Events API events, and this app receives
 * interactivity (clicks, dialog submissions) only.
 */
function boltFor(credentials: SlackCredentials, deps: SlackEventsDeps) {
  const settings = { apiUrl: deps.slackApiUrl, profile: 'interactive', metrics: deps.metrics } as const;
  const receiver = new AwsLambdaReceiver({ signingSecret: credentials.signingSecret, logger: boltLogger() });
  const app = new App({
    receiver,
    authorize: async () => ({ botToken: credentials.botToken, teamId: deps.config.slack.teamId }),
    ignoreSelf: false,
    logger: boltLogger(),
    clientOptions: slackClientOptions(settings),
  });
  registerApprovalListeners(app, { ...deps, client: slackWebClient(credentials.botToken, settings) });
  const bolt = receiver.toHandler();
  return async (event: HttpEvent): Promise<HttpResult> => {
    // Signed first (Bolt checks again, with the same function): only then is a payload worth an ack.
    const signed = isValidSlackRequest({
      signingSecret: credentials.signingSecret,
      body: event.body ?? '',
      headers: {
        'x-slack-signature': event.headers['x-slack-signature'] ?? '',
        'x-slack-request-timestamp': Number(event.headers['x-slack-request-timestamp']),
      },
      nowMilliseconds: deps.clock.now().getTime(),
    });
    if (!signed) return unauthorized;
    const payload = interactionPayloadOf(event.body ?? '');
    if (payload === UNREADABLE) return unreadable;
    // Shapes no listener takes (a closed dialog, a shortcut, a malformed click) are acked unread:
    // Bolt would answer them 404, or 500 where it trips over them.
    if (!isHandledInteraction(payload)) return acknowledged;
    const response = (await bolt(event as unknown as AwsEvent, {})) as HttpResult;
    if (response.statusCode === 401) return unauthorized;
    if (response.statusCode !== 200) {
      // Every listener acks before it works, so this is a fault of ours: say so in the error shape.
      logger.error('Slack request not acknowledged', { status: response.statusCode });
      return json(500, { error: 'server_error', error_description: 'the Slack request was not handled' });
    }
    return response;
  };
}

/**
 * `POST /slack/events`: Approve/Deny clicks, through Bolt (signature verified with the signing
 * secret). Each click is authorised by Slack user and team id and recorded as one conditional write.
 */
export function slackEventsHandler(deps: SlackEventsDeps) {
  const bolt = fromSlackSecret((credentials) => boltFor(credentials, deps), 'slackEvents', deps.credentials);
  return async (event: HttpEvent): Promise<HttpResult> => {
    const prepared = prepareSlackEvent(event, Math.floor(deps.clock.now().getTime() / 1000));
    if (!prepared) return unauthorized;
    let handle: Awaited<ReturnType<typeof bolt>>;
    try {
      handle = await bolt();
    } catch (error) {
      if (!(error instanceof SlackNotConfiguredError)) throw error;
      return json(503, {
        error: 'temporarily_unavailable',
        error_description: 'Slack is not configured yet',
      });
    }
    return handle(prepared);
  };
}

export const handler = lazyHandler(() => {
  const config = envConfig();
  return slackEventsHandler({
    credentials: slackCredentials,
    passkey: {
      passkeys: passkeyStore(),
      pageUrl: (secret) => approvalPageUrl(requireEnv(ENV.publicUrl), secret),
    },
    store: tableStore(),
    refusals: auditLog(),
    workflow: taskResponder(),
    config,
    clock: systemClock,
    metrics: emfMetrics,
    killSwitch: {
      store: tableStore(),
      killSwitches: killSwitchLedger(),
      workflow: stateMachineWorkflow(),
      clock: systemClock,
      agents: config.agents,
      owners: ownerNotices('slackEvents', config.agents),
    },
  });
});
