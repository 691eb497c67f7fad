import type { App } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { StepUpConfig } from '../../domain/config/config';
import { StepUpError } from '../../domain/errors';
import { requireText } from '../../domain/config/validation';
import { previewVote, recordVote, type VoteInput, type VoteResult } from '../../domain/votes/record-vote';
import type { Clock } from '../../ports/clock';
import type { AuditLog } from '../../ports/audit-log';
import type { RequestStore } from '../../ports/request-store';
import type { Workflow } from '../../ports/workflow';
import { requestLogger } from '../logger';
import { APPROVE_ACTION_ID, DENY_ACTION_ID } from './approval-message';
import { DENY_DIALOG_ID, MAX_REASON_LENGTH, REASON_BLOCK_ID, denyDialog, dialogContext } from './deny-dialog';
import { readButtonClick, readDenySubmission, type ButtonClick } from './interaction-payload';
import { SlackNotifier } from './slack-notifier';
import { SlackPeopleDirectory } from './slack-people-directory';
import { registerKillSwitchListener, type KillSwitchListenerDeps } from './kill-switch-listener';
import { answeredWithPasskeyLink, type PasskeyClickDeps } from './passkey-click';
import { registerDigestListener } from './digest-listener';
import { registerParametersListener } from './parameters-listener';

/** What the approval listeners act on. */
export interface ApprovalListenerDeps {
  readonly store: RequestStore;
  readonly workflow: Pick<Workflow, 'sendTaskSuccess'>;
  readonly config: StepUpConfig;
  readonly clock: Clock;
  /** Slack Web API client for message updates, private replies and the people directory. */
  readonly client: WebClient;
  /** Where refused clicks are stored (beside their request). */
  readonly refusals?: Pick<AuditLog, 'recordRefusal'>;
  /** Answers clicks on `@assurance("passkey")` requests with a link to the approval page. */
  readonly passkey?: PasskeyClickDeps;
  /** The owners' kill switch button. @default not registered */
  readonly killSwitch?: KillSwitchListenerDeps;
}

/** The vote a button click means, identified by Slack user and team id. */
function voteOf(click: ButtonClick): VoteInput {
  const { requestId, user, team, decision, channel } = click;
  return { requestId, user, team, decision, channel };
}

/** What the deny dialog shows under the reason when it is refused. */
const REASON_RULE = `Give a reason of 3 to ${MAX_REASON_LENGTH} characters, without control, format or invisible characters.`;

/**
 * The approver's deny reason under the one text policy agent text is under (`requireText`), trimmed
 * first, as the dialog's own length check counts what the approver sees; undefined if refused.
 */
function denyReason(raw: string | undefined): string | undefined {
  try {
    const reason = requireText(raw?.trim(), 'reason', { max: MAX_REASON_LENGTH, multiline: true });
    return [...reason].length >= 3 ? reason : undefined;
  } catch (error) {
    if (error instanceof StepUpError) return undefined;
    throw error;
  }
}

/**
 * Registers stepup's interactivity on a Bolt app: Approve, Deny (which opens the reason dialog) and
 * the dialog's submission. Used by the Lambda (HTTP, `AwsLambdaReceiver`) and by the local runtime's
 * Socket Mode connection alike, so both run the same code path.
 */
export function registerApprovalListeners(app: App, deps: ApprovalListenerDeps): void {
  if (deps.killSwitch) registerKillSwitchListener(app, deps.client, deps.killSwitch);
  const voteDeps = {
    store: deps.store,
    workflow: deps.workflow,
    notifier: new SlackNotifier(deps.client),
    config: deps.config,
    clock: deps.clock,
    directory: new SlackPeopleDirectory(deps.client),
    refusals: deps.refusals,
  };
  registerDigestListener(app, voteDeps);
  registerParametersListener(app, deps.client, voteDeps);
  const logVote = (requestId: string, decision: string, user: string, result: VoteResult) => {
    const fields = { decision, user, outcome: result.outcome };
    // Refused clicks are stored as audit events beside their request (record-vote.ts); logged too.
    if (result.outcome === 'refused') {
      requestLogger(requestId).warn('slack click refused', { ...fields, refusal: result.code, audit: true });
    } else if (result.outcome !== 'recorded' && result.handover === 'deferred') {
      // Stored, but the workflow did not take it: the reconciler carries the decision through.
      requestLogger(requestId).warn(
        'slack click decided; workflow hand-over deferred to the reconciler',
        fields,
      );
    } else requestLogger(requestId).info('slack click', fields);
  };

  app.action({ type: 'block_actions', action_id: APPROVE_ACTION_ID }, async ({ ack, body }) => {
    await ack();
    const click = readButtonClick(body);
    if (!click) return;
    const vote = voteOf(click);
    try {
      if (await answeredWithPasskeyLink(voteDeps, deps.passkey, vote)) return;
      logVote(vote.requestId, 'approve', vote.user, await recordVote(voteDeps, vote));
    } catch (error) {
      requestLogger(vote.requestId).error('slack click failed', { error: error as Error, user: vote.user });
    }
  });

  // Deny asks for a reason first; a clicker who may not decide is told why instead of getting a form.
  app.action({ type: 'block_actions', action_id: DENY_ACTION_ID }, async ({ ack, body, client: slack }) => {
    await ack();
    const click = readButtonClick(body);
    if (!click) return;
    const vote = voteOf(click);
    try {
      if (await answeredWithPasskeyLink(voteDeps, deps.passkey, vote)) return;
      const refused = await previewVote(voteDeps, vote);
      if (refused) return logVote(vote.requestId, 'deny', vote.user, refused);
      const request = await deps.store.get(vote.requestId);
      if (!request) return;
      await slack.views.open({
        trigger_id: click.triggerId,
        view: denyDialog(request, {
          requestId: vote.requestId,
          channel: vote.channel,
        }) as unknown as ModalView,
      });
    } catch (error) {
      requestLogger(vote.requestId).error('deny dialog failed', { error: error as Error, user: vote.user });
    }
  });

  app.view(DENY_DIALOG_ID, async ({ ack, body }) => {
    const submission = readDenySubmission(body);
    const context = dialogContext(submission?.privateMetadata);
    const reason = denyReason(submission?.reason);
    if (!submission || !context || reason === undefined) {
      await ack({ response_action: 'errors', errors: { [REASON_BLOCK_ID]: REASON_RULE } });
      return;
    }
    await ack();
    const vote: VoteInput = {
      requestId: context.requestId,
      user: submission.user,
      team: submission.team,
      decision: 'deny',
      reason,
      channel: context.channel,
    };
    try {
      logVote(vote.requestId, 'deny', vote.user, await recordVote(voteDeps, vote));
    } catch (error) {
      requestLogger(vote.requestId).error('deny failed', { error: error as Error, user: vote.user });
    }
  });
}
