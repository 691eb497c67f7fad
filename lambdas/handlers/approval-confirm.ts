import { bodyOf, json } from '../adapters/api-gateway/http-event';
import { httpRoute } from '../adapters/api-gateway/http-route';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { fromSlackSecret, secretBackedNotifier } from '../adapters/aws/slack-session';
import { passkeyStore, tableStore } from '../adapters/aws/table-clients';
import { taskResponder } from '../adapters/aws/workflow-clients';
import { envConfig } from '../adapters/env-config';
import { logger } from '../adapters/logger';
import { envCeremony } from '../adapters/passkey/env-passkeys';
import { DeferredPeopleDirectory } from '../adapters/slack/deferred-people-directory';
import { SlackPeopleDirectory } from '../adapters/slack/slack-people-directory';
import { slackWebClient } from '../adapters/slack/web-client';
import { passkeyConfirmationBody } from '../api/schemas/passkey-confirmation';
import { confirmPasskeyVote, type ConfirmPasskeyVoteDeps } from '../domain/passkey/confirm-passkey-vote';
import { enrolPasskey } from '../domain/passkey/enrol-passkey';
import { linkPurpose } from '../domain/passkey/passkey-link-purpose';
import { removeOwnPasskey } from '../domain/passkey/remove-own-passkey';
import { systemClock } from '../ports/clock';

const DONE = {
  approved: 'Approved with your passkey: the request is approved.',
  denied: 'Denied with your passkey: the request is denied.',
  recorded: 'Your approval is recorded with your passkey; more approvals are needed.',
} as const;

/**
 * `POST /approval/{link}`: what the approval page posts once the authenticator answered. On a vote
 * link, the assertion confirms the link's decision (`confirmPasskeyVote`: the same single
 * conditional write as a Slack vote); on an enrolment link, the attestation registers a passkey
 * (with `proof`, an existing passkey's assertion, when the approver has any), or, with `remove`, the
 * assertion removes one of the approver's passkeys.
 */
export function approvalConfirmHandler(deps: ConfirmPasskeyVoteDeps) {
  return httpRoute(async (event) => {
    const secret = event.pathParameters?.link ?? '';
    const input = passkeyConfirmationBody.parse(bodyOf(event));
    if ((await linkPurpose(deps, secret)) === 'enrol') {
      if (input.remove !== undefined) {
        await removeOwnPasskey(deps, secret, input.remove, input.response);
        logger.info('passkey removed by its approver', { credential_id: input.remove, audit: true });
        return json(200, { outcome: 'removed', message: 'Your passkey is removed.' });
      }
      const { credentialId } = await enrolPasskey(deps, secret, input.response, input.proof);
      logger.info('passkey registered', { credential_id: credentialId, audit: true });
      return json(200, {
        outcome: 'enrolled',
        message: 'Your passkey is registered. Click the button in Slack again.',
      });
    }
    const result = await confirmPasskeyVote(deps, { secret, response: input.response, reason: input.reason });
    return json(200, { outcome: result.outcome, message: DONE[result.outcome] });
  });
}

export const handler = lazyHandler(() => {
  const client = fromSlackSecret((c) => slackWebClient(c.botToken), 'approvalConfirm');
  return approvalConfirmHandler({
    store: tableStore(),
    passkeys: passkeyStore(),
    ceremony: envCeremony(),
    workflow: taskResponder(),
    notifier: secretBackedNotifier('approvalConfirm'),
    directory: new DeferredPeopleDirectory(async () => new SlackPeopleDirectory(await client())),
    config: envConfig(),
    clock: systemClock,
  });
});
