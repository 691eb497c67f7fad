import { BatchGetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

type Key = Record<string, AttributeValue>;
type Item = Record<string, AttributeValue>;

/** BatchGetItem's limit on keys per call. */
export const BATCH_GET_MAX_KEYS = 100;

/**
 * Reads up to {@link BATCH_GET_MAX_KEYS} items of `tableName` in one `BatchGetItem`, asking again for
 * any keys DynamoDB left unprocessed (it may, under throttling), and answers the items found.
 * @param projection when given, only these attributes are read (expression name → attribute name):
 *   less to send, parse and unmarshal
 */
export async function batchGet(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly Key[],
  projection?: Readonly<Record<string, string>>,
): Promise<Item[]> {
  const projected = projection && {
    ProjectionExpression: Object.keys(projection).join(', '),
    ExpressionAttributeNames: { ...projection },
  };
  if (keys.length > BATCH_GET_MAX_KEYS) throw new Error(`batchGet takes at most ${BATCH_GET_MAX_KEYS} keys`);
  const found: Item[] = [];
  let pending: Key[] = [...keys];
  while (pending.length > 0) {
    const answer = await client.send(
      new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: pending, ...projected } } }),
    );
    found.push(...(answer.Responses?.[tableName] ?? []));
    pending = answer.UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  return found;
}
