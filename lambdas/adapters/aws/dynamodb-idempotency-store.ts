import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { IDEMPOTENCY_WINDOW_SECONDS } from '../../domain/requests/idempotent-create';
import type { IdempotencyRecord, IdempotencyStore } from '../../ports/idempotency-store';

/**
 * {@link IdempotencyStore} in the request table: one item per agent and key, kept for
 * {@link IDEMPOTENCY_WINDOW_SECONDS}. Expiry is checked in the condition, so correctness never
 * waits for DynamoDB's TTL sweep (`expires_at` only tidies up).
 */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async claim(
    agent: string,
    key: string,
    record: IdempotencyRecord,
    nowEpochSeconds: number,
  ): Promise<IdempotencyRecord | undefined> {
    const itemKey = { pk: `IDEMPOTENCY#${agent}#${key}`, sk: 'IDEMPOTENCY' };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({ ...itemKey, ...record, expires_at: nowEpochSeconds + IDEMPOTENCY_WINDOW_SECONDS }),
          ConditionExpression: 'attribute_not_exists(pk) OR expires_at < :now',
          ExpressionAttributeValues: marshall({ ':now': nowEpochSeconds }),
        }),
      );
      return undefined;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall(itemKey), ConsistentRead: true }),
    );
    if (!Item) throw new Error('idempotency record vanished after a failed claim');
    const { bodyHash, requestId } = unmarshall(Item) as IdempotencyRecord;
    return { bodyHash, requestId };
  }
}
