import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuditLog } from '../../ports/audit-log';
import { ENV, requireEnv } from '../env';
import { DynamoDbAuditLog } from './dynamodb-audit-log';
import { traced } from './tracing';
import { SDK_CLIENT_OPTIONS } from './sdk-client-options';

let client: DynamoDBClient | undefined;

/** The audit log (refused clicks, the operators' query) on the table named by `TABLE_NAME`. */
export function auditLog(): AuditLog {
  client ??= traced(new DynamoDBClient({ ...SDK_CLIENT_OPTIONS }));
  return new DynamoDbAuditLog(client, requireEnv(ENV.tableName));
}
