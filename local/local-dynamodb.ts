import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { AGENT_INDEX } from '../lambdas/adapters/aws/dynamodb-request-store';
import { assertStoreFree } from './store-lock';

/** The table name used locally (in AWS the construct names it). */
export const LOCAL_TABLE_NAME = 'stepup';

/** A running dynalite server and a real DynamoDB client pointed at it. */
export interface LocalDynamoDb {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly tableName: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite (the DynamoDB wire protocol) on a free loopback port, in memory or persisted under
 * `path`, and creates the table with the same key schema the CDK construct deploys.
 * @throws StoreInUseError when another process has the store at `path` open
 */
export async function startLocalDynamoDb(path?: string): Promise<LocalDynamoDb> {
  if (path) {
    mkdirSync(path, { recursive: true });
    await assertStoreFree(path);
  }
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const local = await connectLocalDynamoDb(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return {
    ...local,
    close: async () => {
      await local.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A real DynamoDB client for a DynamoDB-compatible endpoint that is already running (dynalite in
 * another process, say), with stepup's table created if it is missing.
 */
export async function connectLocalDynamoDb(endpoint: string): Promise<LocalDynamoDb> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(
      new CreateTableCommand({
        TableName: LOCAL_TABLE_NAME,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'agent', AttributeType: 'S' },
          { AttributeName: 'createdAt', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: AGENT_INDEX,
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
  return { endpoint, client, tableName: LOCAL_TABLE_NAME, close: async () => client.destroy() };
}
