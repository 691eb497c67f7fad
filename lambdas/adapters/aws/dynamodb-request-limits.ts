import {
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { PendingClaim, RequestIdentity, RequestLimits } from '../../ports/request-limits';
import { PENDING_IDS, dayKey, dayOf, digest, hourAttribute, pendingKey } from './history-keys';
import { conditionalWrite } from './conditional-write';

function duplicateKey(identity: RequestIdentity) {
  return marshall({
    pk: `DUPLICATE#${identity.agent}`,
    sk: digest(identity.action, identity.resource, identity.audience, identity.parametersSha256 ?? ''),
  });
}

/**
 * {@link RequestLimits} in the requests' table, each limit one conditional single-item write:
 * - duplicates: a put of `DUPLICATE#<agent>` / digest of the request, unless a claim whose deadline
 *   has not passed is there (its holder ends the deadline when the request is decided);
 * - the hourly limit: an `ADD` of the request id to the hour's `requests_<hh>` set of the agent's
 *   history day item (`history-keys.ts`) while the set is smaller than the limit (its own set: the
 *   history counts a request once it is created, the limit reserves before);
 * - the pending limit: an `ADD` to the agent's pending set while it is smaller than the limit.
 * Sets make every write idempotent: a retried add is still one member.
 */
export class DynamoDbRequestLimits implements RequestLimits {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async claimPending(
    identity: RequestIdentity,
    claim: PendingClaim,
    nowEpochSeconds: number,
  ): Promise<PendingClaim | undefined> {
    const key = duplicateKey(identity);
    const claimed = await conditionalWrite(
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          // `expires_at` lets DynamoDB's TTL tidy up claims nobody released; correctness uses `deadline`.
          Item: { ...key, ...marshall({ ...claim, expires_at: claim.deadline + 86_400 }) },
          ConditionExpression: 'attribute_not_exists(pk) OR deadline < :now',
          ExpressionAttributeValues: marshall({ ':now': nowEpochSeconds }),
        }),
      ),
    );
    if (claimed) return undefined;
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    const holder = Item && (unmarshall(Item) as PendingClaim);
    // Released between our put and this read: ask again (a claim is never deleted, only ended).
    if (!holder || holder.deadline < nowEpochSeconds)
      return this.claimPending(identity, claim, nowEpochSeconds);
    const { requestId, bindingCode, deadline } = holder;
    return { requestId, bindingCode, deadline };
  }

  async releasePending(identity: RequestIdentity, requestId: string): Promise<void> {
    await conditionalWrite(
      this.client.send(
        // Released by ending its deadline (an update, not a delete: no further permission needed).
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: duplicateKey(identity),
          UpdateExpression: 'SET deadline = :released',
          ConditionExpression: 'requestId = :id',
          ExpressionAttributeValues: marshall({ ':id': requestId, ':released': 0 }),
        }),
      ),
    );
  }

  async reserveHourly(agent: string, requestId: string, now: Date, limit: number): Promise<boolean> {
    return this.addUnlessFull(dayKey(agent, dayOf(now)), hourAttribute('requests', now), requestId, limit);
  }

  async releaseHourly(agent: string, requestId: string, now: Date): Promise<void> {
    await this.remove(dayKey(agent, dayOf(now)), hourAttribute('requests', now), requestId);
  }

  async reserveOpen(agent: string, requestId: string, limit: number): Promise<boolean> {
    return this.addUnlessFull(pendingKey(agent, 'all'), PENDING_IDS, requestId, limit);
  }

  async releaseOpen(agent: string, requestId: string): Promise<void> {
    await this.remove(pendingKey(agent, 'all'), PENDING_IDS, requestId);
  }

  private addUnlessFull(
    key: Record<string, AttributeValue>,
    attribute: string,
    requestId: string,
    limit: number,
  ): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'ADD #set :ids',
          // Already a member: a retry of a write that succeeded, which must not fail now.
          ConditionExpression: 'attribute_not_exists(#set) OR size(#set) < :limit OR contains(#set, :id)',
          ExpressionAttributeNames: { '#set': attribute },
          ExpressionAttributeValues: marshall({
            ':ids': new Set([requestId]),
            ':limit': limit,
            ':id': requestId,
          }),
        }),
      ),
    );
  }

  private async remove(
    key: Record<string, AttributeValue>,
    attribute: string,
    requestId: string,
  ): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'DELETE #set :ids',
        ExpressionAttributeNames: { '#set': attribute },
        ExpressionAttributeValues: marshall({ ':ids': new Set([requestId]) }),
      }),
    );
  }
}
