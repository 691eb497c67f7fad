import type { ApprovalNotifier } from '../../ports/approval-notifier';
import type { DigestNotifier } from '../../ports/paging-digest';
import { DeferredNotifier } from '../slack/deferred-notifier';
import { SlackNotConfiguredError, reportSlackPlaceholderSecret } from '../slack/placeholder-secret';
import { isPlaceholder, type SlackCredentials } from '../slack/slack-credentials';
import { slackNotifier } from '../slack/slack-notifier';
import { SlackOwnerNotifier } from '../slack/slack-owner-notifier';
import { slackWebClient } from '../slack/web-client';
import type { OwnerNotifier } from '../../ports/owner-notifier';
import { emfMetrics } from './emf-metrics';
import { slackCredentials, slackSecretName } from './slack-secret';

/**
 * Something built from the Slack credentials (a client, a Bolt app), rebuilt only when the secret's
 * value changes, so a new bot token or signing secret is used within the secret's cache age.
 * @param fn the function's name, for the placeholder report
 * @param read the credentials, cached with a TTL @default {@link slackCredentials}
 * @returns a getter that throws {@link SlackNotConfiguredError} (after reporting it) while the
 *   secret holds the deploy-time placeholder
 */
export function fromSlackSecret<T>(
  build: (credentials: SlackCredentials) => T,
  fn: string,
  read: () => Promise<SlackCredentials> = slackCredentials,
  secretName: () => string = slackSecretName,
): () => Promise<T> {
  let built: { readonly key: string; readonly value: T } | undefined;
  return async () => {
    const credentials = await read();
    if (isPlaceholder(credentials)) {
      reportSlackPlaceholderSecret(fn, secretName());
      throw new SlackNotConfiguredError(secretName());
    }
    const key = `${credentials.botToken}\n${credentials.signingSecret}`;
    if (built?.key !== key) built = { key, value: build(credentials) };
    return built.value;
  };
}

/** The Slack notifier of function `fn`, following the secret (see {@link fromSlackSecret}). */
export function secretBackedNotifier(fn: string): ApprovalNotifier & DigestNotifier {
  return new DeferredNotifier(fromSlackSecret((c) => slackNotifier(c.botToken, { metrics: emfMetrics }), fn));
}

/** The owner notifier of function `fn`, following the secret; DMs are posted once, never retried blindly. */
export function secretBackedOwnerNotifier(fn: string): OwnerNotifier {
  return new SlackOwnerNotifier(
    fromSlackSecret((c) => slackWebClient(c.botToken, { metrics: emfMetrics, profile: 'posting' }), fn),
    emfMetrics,
  );
}
