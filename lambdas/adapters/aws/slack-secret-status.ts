import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { StepUpError } from '../../domain/errors';
import type { PagingReadiness } from '../../ports/paging-readiness';
import { fillSlackSecretHint, reportSlackPlaceholderSecret } from '../slack/placeholder-secret';

/** How long an unfilled answer is reused, and the `Retry-After` agents are given meanwhile. */
export const UNFILLED_RECHECK_SECONDS = 30;

/**
 * {@link PagingReadiness} from the Slack secret's metadata (`secretsmanager:DescribeSecret`), not
 * its value: the request function, which parses untrusted input, never holds the bot token or the
 * signing secret (with which it could forge an approver's click). The secret is created with one
 * version holding the placeholder; any `put-secret-value` adds a version and the first one becomes
 * `AWSPREVIOUS`, so "one version" means "never filled". Once filled it stays filled (versions are
 * only added), so that answer is kept for the container's life; "unfilled" is asked again after
 * {@link UNFILLED_RECHECK_SECONDS}.
 */
export class SlackSecretStatus implements PagingReadiness {
  private filled = false;
  private unfilledUntil = 0;
  private name = '';

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly now: () => number = Date.now,
  ) {}

  async assertReady(): Promise<void> {
    if (this.filled) return;
    if (this.now() >= this.unfilledUntil) {
      const described = await this.client.send(new DescribeSecretCommand({ SecretId: this.secretId }));
      this.name = described.Name ?? this.secretId;
      this.filled = Object.keys(described.VersionIdsToStages ?? {}).length > 1;
      if (this.filled) return;
      this.unfilledUntil = this.now() + UNFILLED_RECHECK_SECONDS * 1000;
    }
    reportSlackPlaceholderSecret('createRequest', this.name);
    throw new StepUpError(
      'temporarily_unavailable',
      `approvers cannot be paged yet: an operator must ${fillSlackSecretHint(this.name)}`,
      {},
      { retryAfterSeconds: UNFILLED_RECHECK_SECONDS },
    );
  }
}
