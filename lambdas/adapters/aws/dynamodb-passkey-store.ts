import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { PasskeyCredential, PasskeyLink } from '../../domain/passkey/passkey-link';
import type { PasskeyStore } from '../../ports/passkey-store';
import { conditionalWrite } from './conditional-write';

const LINK = 'PASSKEYLINK';
const PASSKEYS = 'PASSKEYS';

const linkKey = (id: string) => marshall({ pk: `${LINK}#${id}`, sk: LINK });
const passkeysKey = (user: string) => marshall({ pk: `${PASSKEYS}#${user}`, sk: PASSKEYS });

/**
 * {@link PasskeyStore} in the requests' table: one item per link (`PASSKEYLINK#<digest of its
 * secret>`) and one per approver (`PASSKEYS#<Slack user id>`, a map of their passkeys by credential
 * id), each changed by single conditional writes; nothing here is ever queried or scanned.
 */
export class DynamoDbPasskeyStore implements PasskeyStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async putLink(link: PasskeyLink): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { ...linkKey(link.id), ...marshall({ link }, { removeUndefinedValues: true }) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getLink(id: string): Promise<PasskeyLink | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: linkKey(id), ConsistentRead: true }),
    );
    return Item ? (unmarshall(Item).link as PasskeyLink) : undefined;
  }

  setLinkNonce(id: string, nonce: string): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: linkKey(id),
          UpdateExpression: 'SET #link.#nonce = :nonce',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#link.#usedAt)',
          ExpressionAttributeNames: { '#link': 'link', '#nonce': 'nonce', '#usedAt': 'usedAt' },
          ExpressionAttributeValues: marshall({ ':nonce': nonce }),
        }),
      ),
    );
  }

  useLink(id: string, nonce: string, at: string): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: linkKey(id),
          UpdateExpression: 'SET #link.#usedAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(#link.#usedAt) AND #link.#nonce = :nonce ' +
            'AND #link.#expiresAt > :at',
          ExpressionAttributeNames: {
            '#link': 'link',
            '#nonce': 'nonce',
            '#usedAt': 'usedAt',
            '#expiresAt': 'expiresAt',
          },
          ExpressionAttributeValues: marshall({ ':nonce': nonce, ':at': at }),
        }),
      ),
    );
  }

  async credentials(user: string): Promise<PasskeyCredential[]> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: passkeysKey(user), ConsistentRead: true }),
    );
    const stored = Item
      ? (unmarshall(Item).credentials as Record<string, PasskeyCredential> | undefined)
      : undefined;
    return Object.values(stored ?? {}).sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
  }

  async addCredential(user: string, credential: PasskeyCredential): Promise<boolean> {
    // The map must exist before a member can be set: create the item first (if it is absent).
    await conditionalWrite(
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...passkeysKey(user), ...marshall({ user, credentials: {} }) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: passkeysKey(user),
          UpdateExpression: 'SET #credentials.#id = :credential',
          ConditionExpression: 'attribute_exists(#credentials) AND attribute_not_exists(#credentials.#id)',
          ExpressionAttributeNames: { '#credentials': 'credentials', '#id': credential.id },
          ExpressionAttributeValues: marshall({ ':credential': credential }, { removeUndefinedValues: true }),
        }),
      ),
    );
  }

  advanceCounter(user: string, credentialId: string, counter: number, at: string): Promise<boolean> {
    // An authenticator without a counter always reports 0; any other counter must go up.
    const rises =
      counter === 0 ? '#credentials.#id.#counter = :counter' : '#credentials.#id.#counter < :counter';
    return conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: passkeysKey(user),
          UpdateExpression: 'SET #credentials.#id.#counter = :counter, #credentials.#id.#lastUsedAt = :at',
          ConditionExpression: `attribute_exists(#credentials.#id) AND ${rises}`,
          ExpressionAttributeNames: {
            '#credentials': 'credentials',
            '#id': credentialId,
            '#counter': 'counter',
            '#lastUsedAt': 'lastUsedAt',
          },
          ExpressionAttributeValues: marshall({ ':counter': counter, ':at': at }),
        }),
      ),
    );
  }

  async removeCredentials(user: string): Promise<number> {
    // An update rather than a delete: the functions' table grants are GetItem, PutItem and UpdateItem.
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: passkeysKey(user),
          UpdateExpression: 'SET #credentials = :none',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#credentials': 'credentials' },
          ExpressionAttributeValues: marshall({ ':none': {} }),
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      const removed = Attributes ? (unmarshall(Attributes).credentials as Record<string, unknown>) : {};
      return Object.keys(removed).length;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 0;
      throw error;
    }
  }
}
