import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import dynalite from 'dynalite';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import { connectLocalDynamoDb, LOCAL_TABLE_NAME } from '../../local/local-dynamodb';
import { NOW, pendingRequest } from '../unit/support/fixtures';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function dynaliteEndpoint(): Promise<string> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function rawClient(endpoint: string): DynamoDBClient {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  closers.push(async () => client.destroy());
  return client;
}

/** The table as stepup created it before the index of open requests. */
async function createOldTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', 'agent', 'createdAt'].map((n) => ({
        AttributeName: n,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byAgent',
          KeySchema: [
            { AttributeName: 'agent', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
  );
}

const pending = pendingRequest({ agent: 'old-data-bot' });
const finished = pendingRequest({ agent: 'old-data-bot', status: 'DENIED', decidedAt: NOW.toISOString() });
const poll = { pk: `REQUEST#${pending.id}`, sk: 'POLL', nextPollAt: 5, intervalMs: 5000 };

/** Items as the old version wrote them: the request with its key, no index attributes. */
async function putOldItems(client: DynamoDBClient, table: string): Promise<void> {
  for (const request of [pending, finished]) {
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: marshall(
          { pk: `REQUEST#${request.id}`, sk: 'REQUEST', ...request },
          { removeUndefinedValues: true },
        ),
      }),
    );
  }
  await client.send(new PutItemCommand({ TableName: table, Item: marshall(poll) }));
}

async function expectMigrated(endpoint: string): Promise<void> {
  const db = await connectLocalDynamoDb(endpoint);
  closers.push(() => db.close());
  const store = new DynamoDbRequestStore(db.client, db.tableName);
  expect(await store.get(pending.id)).toEqual(pending);
  expect(await store.get(finished.id)).toEqual(finished);
  expect((await store.listOpenByAgent('old-data-bot')).items).toEqual([pending.id]);
  expect((await store.listUnfinishedWorkflows()).items.map((r) => r.id)).toEqual([pending.id]);
  const { Items } = await db.client.send(new ScanCommand({ TableName: db.tableName }));
  expect(Items).toHaveLength(3);
}

describe('a data directory from before the index of open requests', () => {
  it('is brought to the current schema on start, every item kept and the open ones indexed', async () => {
    const endpoint = await dynaliteEndpoint();
    const client = rawClient(endpoint);
    await createOldTable(client, LOCAL_TABLE_NAME);
    await putOldItems(client, LOCAL_TABLE_NAME);
    await expectMigrated(endpoint);
  });

  it('a migration stopped after the old table was dropped is finished by the next start', async () => {
    const endpoint = await dynaliteEndpoint();
    const client = rawClient(endpoint);
    // The state an earlier start left when it died right after dropping the old table: the items
    // are only in the holding table.
    await createOldTable(client, `${LOCAL_TABLE_NAME}-migrating`);
    await putOldItems(client, `${LOCAL_TABLE_NAME}-migrating`);
    await expectMigrated(endpoint);
  });
});
