import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { RequestChanges } from '../../ports/request-changes';
import { key } from './dynamodb-request-store';

/**
 * The pause before each read of a waiting poll: short at first (a decision soon after the call is
 * picked up in about a quarter of a second), then one read a second for the rest of the wait.
 */
export const CHANGE_POLL_DELAYS_MS: readonly number[] = [250, 500, 1000];

/**
 * {@link RequestChanges} for AWS: a Lambda hears of no DynamoDB write, so it reads the request's
 * `version` with backoff ({@link CHANGE_POLL_DELAYS_MS}, then every second). Each read is an
 * eventually consistent `GetItem` projecting `version` alone: half a read unit per 4 KB of item (a
 * projection does not make a read cheaper, consistency does). A stale read can only show an older
 * version, which does not count as a change, so the caller's consistent read follows a real change.
 */
export class PollingRequestChanges implements RequestChanges {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly delaysMs: readonly number[] = CHANGE_POLL_DELAYS_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async changedSince(id: string, version: number, until: Date): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const left = until.getTime() - this.now();
      if (left <= 0) return;
      const delay = this.delaysMs[Math.min(attempt, this.delaysMs.length - 1)] ?? 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
      const { Item } = await this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: key(id),
          ProjectionExpression: '#version',
          ExpressionAttributeNames: { '#version': 'version' },
        }),
      );
      if (!Item || (unmarshall(Item).version as number) > version) return;
    }
  }
}
