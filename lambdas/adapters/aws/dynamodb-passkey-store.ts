import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { PasskeyCredential, PasskeyLink } from '../../domain/passkey/passkey-link';
import type { PasskeyProof, PasskeyStore } from '../../ports/passkey-store';
import { conditionalWrite } from './conditional-write';

const LINK = 'PASSKEYLINK';
const PASSKEYS = 'PASSKEYS';

/**
 * The update and condition that a proving passkey still exists and its counter goes up (an
 * authenticator without a counter always reports 0; any other counter must rise), under `#proof`.
 */
function proofClauses(proof: PasskeyProof) {
  const rises =
    proof.counter === 0
      ? '#credentials.#proof.#counter = :pcounter'
      : '#credentials.#proof.#counter < :pcounter';
  return {
    update: '#credentials.#proof.#counter = :pcounter, #credentials.#proof.#lastUsedAt = :pat',
    condition: `attribute_exists(#credentials.#proof) AND ${rises}`,
    names: { '#proof': proof.credentialId, '#counter': 'counter', '#lastUsedAt': 'lastUsedAt' },
    values: { ':pcounter': proof.counter, ':pat': proof.at },
  };
}

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

  async addCredential(user: string, credential: PasskeyCredential, proof?: PasskeyProof): Promise<boolean> {
    if (proof) return this.addProven(user, credential, proof);
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

  /** Adds a passkey and advances the proving one, in one conditional write. */
  private addProven(user: string, credential: PasskeyCredential, proof: PasskeyProof): Promise<boolean> {
    const clauses = proofClauses(proof);
    return conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: passkeysKey(user),
          UpdateExpression: `SET #credentials.#id = :credential, ${clauses.update}`,
          ConditionExpression: `attribute_not_exists(#credentials.#id) AND ${clauses.condition}`,
          ExpressionAttributeNames: { '#credentials': 'credentials', '#id': credential.id, ...clauses.names },
          ExpressionAttributeValues: marshall(
            { ':credential': credential, ...clauses.values },
            { removeUndefinedValues: true },
          ),
        }),
      ),
    );
  }

  removeCredential(user: string, credentialId: string, proof: PasskeyProof): Promise<boolean> {
    const clauses = proofClauses(proof);
    // Removing the passkey that proved: no counter to advance on a passkey that is going away.
    const self = credentialId === proof.credentialId;
    return conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: passkeysKey(user),
          UpdateExpression: self
            ? 'REMOVE #credentials.#id'
            : `SET ${clauses.update} REMOVE #credentials.#id`,
          ConditionExpression: `attribute_exists(#credentials.#id) AND ${clauses.condition}`,
          ExpressionAttributeNames: {
            '#credentials': 'credentials',
            '#id': credentialId,
            ...(self ? { '#proof': proof.credentialId, '#counter': 'counter' } : clauses.names),
          },
          ExpressionAttributeValues: marshall(self ? { ':pcounter': proof.counter } : clauses.values),
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
