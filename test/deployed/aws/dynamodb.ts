import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { FakeAccount } from './account';
import {
  startJsonService,
  type AccountServices,
  type RawAnswer,
  type RunningService,
  type ServiceCall,
} from './json-service';
import { AwsError } from '../../../local/aws/aws-error';
import type { SignedRequest } from '../../../local/aws/sigv4';

/** The parts of an `AWS::DynamoDB::Table` that `CreateTable` takes, resolved. */
type TableProperties = Pick<
  CreateTableCommandInput,
  | 'AttributeDefinitions'
  | 'KeySchema'
  | 'GlobalSecondaryIndexes'
  | 'LocalSecondaryIndexes'
  | 'BillingMode'
  | 'ProvisionedThroughput'
>;

/** The table names an operation touches, with the index it reads, if any. */
function tablesOf(call: ServiceCall): { table: string; index?: string }[] {
  const input = call.input;
  if (typeof input.TableName === 'string') {
    return [
      { table: input.TableName, ...(typeof input.IndexName === 'string' ? { index: input.IndexName } : {}) },
    ];
  }
  if (input.RequestItems && typeof input.RequestItems === 'object')
    return Object.keys(input.RequestItems).map((table) => ({ table }));
  if (Array.isArray(input.TransactItems)) {
    return input.TransactItems.flatMap((item: Record<string, { TableName?: string }>) =>
      Object.values(item).flatMap((op) =>
        typeof op?.TableName === 'string' ? [{ table: op.TableName }] : [],
      ),
    );
  }
  return [];
}

function forward(backend: string, request: SignedRequest): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      `${backend}${request.url}`,
      { method: request.method, headers: request.headers },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(incoming.headers)) {
            if (value !== undefined && name !== 'transfer-encoding' && name !== 'connection')
              headers[name] = String(value);
          }
          resolve({ status: incoming.statusCode ?? 500, headers, body: Buffer.concat(chunks) });
        });
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/** The DynamoDB stand-in, running. */
export interface RunningDynamoDb extends RunningService {
  /**
   * Answers the calls `when` picks with `InternalServerError` (HTTP 500, which the SDK retries and
   * then throws), after IAM allowed them: a DynamoDB outage for one function's writes, say.
   * @returns heals it
   */
  failCalls(when: (call: ServiceCall) => boolean): () => void;
}

/**
 * DynamoDB stand-in: dynalite (the real wire protocol, in memory) holding the template's tables
 * under their physical names, behind a front end that checks SigV4 and IAM. The IAM resource is
 * the table ARN, or `…/index/<name>` for a Query or Scan of an index, as DynamoDB authorizes;
 * allowed calls reach dynalite byte for byte and its answer comes back unchanged.
 */
export async function startDynamoDb(
  account: FakeAccount,
  services: AccountServices,
): Promise<RunningDynamoDb> {
  const failing = new Set<(call: ServiceCall) => boolean>();
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const backend = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const admin = new DynamoDBClient({
    endpoint: backend,
    region: account.env.region,
    credentials: { accessKeyId: 'admin', secretAccessKey: 'admin' },
  });
  try {
    for (const logicalId of account.logicalIdsOfType('AWS::DynamoDB::Table')) {
      const p = account.properties(logicalId) as TableProperties;
      await admin.send(
        new CreateTableCommand({
          TableName: account.ref(logicalId),
          AttributeDefinitions: p.AttributeDefinitions,
          KeySchema: p.KeySchema,
          GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
          LocalSecondaryIndexes: p.LocalSecondaryIndexes,
          BillingMode: p.BillingMode ?? 'PROVISIONED',
          ProvisionedThroughput: p.ProvisionedThroughput,
        }),
      );
    }
  } finally {
    admin.destroy();
  }

  const tableArn = (table: string): string =>
    table.startsWith('arn:')
      ? table
      : `arn:${account.env.partition}:dynamodb:${account.env.region}:${account.env.account}:table/${table}`;

  const service = await startJsonService(
    {
      signingName: 'dynamodb',
      iamPrefix: 'dynamodb',
      targetPrefix: 'DynamoDB_20120810',
      jsonVersion: '1.0',
      errorTypeNamespace: 'com.amazonaws.dynamodb.v20120810#',
      handle: async (call) => {
        const tables = tablesOf(call);
        if (tables.length === 0)
          await call.authorize(
            `arn:${account.env.partition}:dynamodb:${account.env.region}:${account.env.account}:table/*`,
          );
        for (const { table, index } of tables)
          await call.authorize(index ? `${tableArn(table)}/index/${index}` : tableArn(table));
        for (const when of failing)
          if (when(call)) throw new AwsError('InternalServerError', 'Internal server error', 500);
        return forward(backend, call.request);
      },
    },
    services,
  );
  return {
    endpoint: service.endpoint,
    failCalls: (when) => {
      failing.add(when);
      return () => failing.delete(when);
    },
    close: async () => {
      await service.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
