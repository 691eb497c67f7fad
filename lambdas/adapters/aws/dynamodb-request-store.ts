import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ApprovalRequest, AuditEvent } from '../../domain/approval-request';
import { DuplicateRequestError, VersionConflictError, type RequestStore } from '../../ports/request-store';

const SORT_KEY = 'REQUEST';

function key(id: string) {
  return marshall({ pk: `REQUEST#${id}`, sk: SORT_KEY });
}

function toItem(request: ApprovalRequest) {
  return marshall({ pk: `REQUEST#${request.id}`, sk: SORT_KEY, ...request }, { removeUndefinedValues: true });
}

function fromItem(item: Parameters<typeof unmarshall>[0]): ApprovalRequest {
  const { pk: _pk, sk: _sk, ...request } = unmarshall(item);
  return request as ApprovalRequest;
}

/** {@link RequestStore} on one DynamoDB table (`pk`/`sk`); every write is a single conditional item write. */
export class DynamoDbRequestStore implements RequestStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async create(request: ApprovalRequest): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(request),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new DuplicateRequestError(request.id);
      throw error;
    }
  }

  async get(id: string): Promise<ApprovalRequest | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: key(id), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async save(next: ApprovalRequest): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(next),
          ConditionExpression: '#version = :previous',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: marshall({ ':previous': next.version - 1 }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new VersionConflictError(next.id);
      throw error;
    }
  }

  async consumeToken(
    id: string,
    jti: string,
    nowEpochSeconds: number,
    event: AuditEvent,
  ): Promise<ApprovalRequest | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(id),
          UpdateExpression:
            'SET consumedAt = :at, #version = #version + :one, events = list_append(events, :event)',
          ConditionExpression:
            '#status = :approved AND delivery.jti = :jti AND delivery.#exp > :now AND attribute_not_exists(consumedAt)',
          ExpressionAttributeNames: { '#version': 'version', '#status': 'status', '#exp': 'exp' },
          ExpressionAttributeValues: marshall(
            {
              ':at': event.at,
              ':one': 1,
              ':event': [event],
              ':approved': 'APPROVED',
              ':jti': jti,
              ':now': nowEpochSeconds,
            },
            { removeUndefinedValues: true },
          ),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? fromItem(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
