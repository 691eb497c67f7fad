import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { SlackMessageRef } from '../../domain/requests/approval-request';
import type { Digest, DigestEntry, DigestKey, DigestPostIntent } from '../../domain/paging/page-digest';
import type { DigestBoard } from '../../ports/paging-digest';
import { conditionalWrite } from './conditional-write';

/** Entries are attributes of their own (`e_<request id>`): a map attribute cannot be created and filled in one SET. */
const ENTRY_PREFIX = 'e_';
/** Kept a week: longer than any approval window, so an outcome always finds its entry. */
const KEEP_SECONDS = 7 * 86_400;

const pagesKey = (group: string, minute: string) => marshall({ pk: `PAGES#${group}`, sk: minute });
const digestKey = (key: DigestKey) =>
  marshall({ pk: `DIGEST#${key.group}`, sk: `${key.minute}#${key.page}` });
const expiresAt = (minute: string) => Math.floor(Date.parse(`${minute}:00Z`) / 1000) + KEEP_SECONDS;

function digestOf(key: DigestKey, item: Record<string, AttributeValue>): Digest {
  const stored = unmarshall(item);
  const entries = Object.entries(stored)
    .filter(([name]) => name.startsWith(ENTRY_PREFIX))
    .map(([, entry]) => entry as DigestEntry)
    .sort((a, b) => a.at.localeCompare(b.at) || a.requestId.localeCompare(b.requestId));
  return {
    key,
    entries,
    version: (stored.version as number | undefined) ?? 0,
    ...(stored.message ? { message: stored.message as SlackMessageRef } : {}),
    ...(stored.posting ? { posting: stored.posting as DigestPostIntent } : {}),
  };
}

/**
 * {@link DigestBoard} in the requests' table:
 *
 *   pk = PAGES#<group>   sk = <minute>          `ids`: the requests paged on their own that minute
 *   pk = DIGEST#<group>  sk = <minute>#<page>   `ids` (the listed requests), `e_<id>` (each entry),
 *                                               `version`, `posting`, `message`
 *
 * Counting is an `ADD` to a string set while it is smaller than the limit (or holds the id
 * already), so each count is one conditional write and a retry counts nothing twice. Every change
 * of a digest bumps `version`, which tells the steps showing it whether the message is current.
 */
export class DynamoDbDigestBoard implements DigestBoard {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  reservePage(group: string, minute: string, requestId: string, limit: number): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: pagesKey(group, minute),
          UpdateExpression: 'ADD ids :ids SET expires_at = :expires',
          ConditionExpression: 'attribute_not_exists(ids) OR size(ids) < :limit OR contains(ids, :id)',
          ExpressionAttributeValues: marshall({
            ':ids': new Set([requestId]),
            ':limit': limit,
            ':id': requestId,
            ':expires': expiresAt(minute),
          }),
        }),
      ),
    );
  }

  async addEntry(group: string, minute: string, entry: DigestEntry, pageSize: number): Promise<Digest> {
    for (let page = 0; ; page++) {
      const key = { group, minute, page };
      try {
        const { Attributes } = await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: digestKey(key),
            UpdateExpression:
              'ADD ids :ids, #version :one SET #entry = if_not_exists(#entry, :entry), expires_at = :expires',
            ConditionExpression: 'attribute_not_exists(ids) OR size(ids) < :size OR contains(ids, :id)',
            ExpressionAttributeNames: {
              '#entry': `${ENTRY_PREFIX}${entry.requestId}`,
              '#version': 'version',
            },
            ExpressionAttributeValues: marshall({
              ':ids': new Set([entry.requestId]),
              ':one': 1,
              ':entry': entry,
              ':size': pageSize,
              ':id': entry.requestId,
              ':expires': expiresAt(minute),
            }),
            ReturnValues: 'ALL_NEW',
          }),
        );
        if (Attributes) return digestOf(key, Attributes);
      } catch (error) {
        // This page is full: the next one.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }

  async setStatus(
    key: DigestKey,
    requestId: string,
    status: DigestEntry['status'],
  ): Promise<Digest | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: digestKey(key),
          UpdateExpression: 'SET #entry.#status = :status ADD #version :one',
          ConditionExpression: 'attribute_exists(#entry)',
          ExpressionAttributeNames: {
            '#entry': `${ENTRY_PREFIX}${requestId}`,
            '#status': 'status',
            '#version': 'version',
          },
          ExpressionAttributeValues: marshall({ ':status': status, ':one': 1 }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes && digestOf(key, Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async read(key: DigestKey): Promise<Digest | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: digestKey(key), ConsistentRead: true }),
    );
    return Item && digestOf(key, Item);
  }

  async beginPost(key: DigestKey, intent: DigestPostIntent): Promise<Digest> {
    await conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: digestKey(key),
          UpdateExpression: 'SET posting = :intent',
          ConditionExpression:
            'attribute_exists(ids) AND attribute_not_exists(posting) AND attribute_not_exists(#message)',
          ExpressionAttributeNames: { '#message': 'message' },
          ExpressionAttributeValues: marshall({ ':intent': intent }),
        }),
      ),
    );
    const digest = await this.read(key);
    if (!digest) throw new Error(`digest ${key.group} ${key.minute}#${key.page} is gone`);
    return digest;
  }

  async recordMessage(key: DigestKey, message: SlackMessageRef): Promise<void> {
    await conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: digestKey(key),
          UpdateExpression: 'SET #message = :message REMOVE posting',
          ConditionExpression: 'attribute_not_exists(#message)',
          ExpressionAttributeNames: { '#message': 'message' },
          ExpressionAttributeValues: marshall({ ':message': message }),
        }),
      ),
    );
  }
}
