import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  paginateScan,
  PutItemCommand,
  ResourceNotFoundException,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  AGENT_INDEX,
  DynamoDbRequestStore,
  OPEN_INDEX,
} from '../lambdas/adapters/aws/dynamodb-request-store';
import { AUDIT_INDEX } from '../lambdas/adapters/aws/audit-index';
import type { ApprovalRequest } from '../lambdas/domain/requests/approval-request';
import { DuplicateRequestError } from '../lambdas/ports/request-store';

/** The table with the key schema and indexes the CDK construct deploys (`lib/approval-table.ts`). */
async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        'pk',
        'sk',
        'agent',
        'createdAt',
        OPEN_INDEX.partitionKey,
        OPEN_INDEX.sortKey,
        AUDIT_INDEX.partitionKey,
        AUDIT_INDEX.sortKey,
      ].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: OPEN_INDEX.name,
          KeySchema: [
            { AttributeName: OPEN_INDEX.partitionKey, KeyType: 'HASH' },
            { AttributeName: OPEN_INDEX.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...OPEN_INDEX.nonKeyAttributes] },
        },
        {
          IndexName: AGENT_INDEX,
          KeySchema: [
            { AttributeName: 'agent', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        {
          IndexName: AUDIT_INDEX.name,
          KeySchema: [
            { AttributeName: AUDIT_INDEX.partitionKey, KeyType: 'HASH' },
            { AttributeName: AUDIT_INDEX.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...AUDIT_INDEX.nonKeyAttributes] },
        },
      ],
    }),
  );
}

/** The table's index names, or undefined when there is no such table. */
async function indexesOf(client: DynamoDBClient, tableName: string): Promise<string[] | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? '');
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * Copies every item of `from` into `to`, never overwriting an item `to` already has, so a copy cut
 * short is finished by running it again. Requests go through the store, which derives their index
 * attributes; other items (polls, idempotency keys) are copied as they are.
 */
async function copyItems(client: DynamoDBClient, from: string, to: string): Promise<void> {
  const store = new DynamoDbRequestStore(client, to);
  for await (const page of paginateScan({ client }, { TableName: from, ConsistentRead: true })) {
    for (const item of page.Items ?? []) await copyItem(client, store, to, item);
  }
}

async function copyItem(
  client: DynamoDBClient,
  store: DynamoDbRequestStore,
  to: string,
  item: Record<string, AttributeValue>,
): Promise<void> {
  try {
    if (item.sk?.S === 'REQUEST') {
      const {
        pk: _pk,
        sk: _sk,
        openShard: _s,
        openKey: _k,
        resume: _r,
        [AUDIT_INDEX.partitionKey]: _as,
        [AUDIT_INDEX.sortKey]: _ak,
        ...request
      } = unmarshall(item);
      await store.create(request as ApprovalRequest);
    } else {
      await client.send(
        new PutItemCommand({ TableName: to, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    }
  } catch (error) {
    if (error instanceof DuplicateRequestError || (error as Error).name === 'ConditionalCheckFailedException')
      return;
    throw error;
  }
}

/**
 * Makes `tableName` exist with the current schema. A table from before the index of open requests
 * or the audit index is rebuilt (dynalite cannot add an index to a table): its items are copied to `<name>-migrating`,
 * the old table is replaced, and the items are copied back. Every step can be repeated, and the
 * state of the two tables says which step a start that was interrupted must resume from, so no
 * item is lost whenever the process stops.
 */
export async function ensureCurrentTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const holding = `${tableName}-migrating`;
  let indexes = await indexesOf(client, tableName);
  // A table from before an index (the open requests', the audit activity's) is rebuilt with it.
  if (indexes && !(indexes.includes(OPEN_INDEX.name) && indexes.includes(AUDIT_INDEX.name))) {
    if (!(await indexesOf(client, holding))) await createTable(client, holding);
    await copyItems(client, tableName, holding);
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    indexes = undefined;
  }
  if (!indexes) await createTable(client, tableName);
  if (await indexesOf(client, holding)) {
    await copyItems(client, holding, tableName);
    await client.send(new DeleteTableCommand({ TableName: holding }));
  }
}
