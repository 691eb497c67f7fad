import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { assertStoreFree } from './store-lock';
import { ensureCurrentTable } from './local-table';
import { sdkLogger } from '../lambdas/adapters/aws/sdk-client-options';

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
 * another process, say), with stepup's table created if it is missing, or brought to the current
 * schema if an older version of stepup created it.
 */
export async function connectLocalDynamoDb(endpoint: string): Promise<LocalDynamoDb> {
  const client = localDynamoDbClient(endpoint);
  await ensureCurrentTable(client, LOCAL_TABLE_NAME);
  return { endpoint, client, tableName: LOCAL_TABLE_NAME, close: async () => client.destroy() };
}

/**
 * A DynamoDB client for the local endpoint, with `options` on top (a benchmark gives the functions'
 * `SDK_CLIENT_OPTIONS`; the runtime's own client leaves the middleware uncached, as tests add theirs
 * to it at any time).
 */
export function localDynamoDbClient(
  endpoint: string,
  options: Partial<DynamoDBClientConfig> = {},
): DynamoDBClient {
  return new DynamoDBClient({
    logger: sdkLogger,
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...options,
  });
}
