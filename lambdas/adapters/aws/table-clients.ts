import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RequestStore } from '../../ports/request-store';
import { ENV, requireEnv } from '../env';
import { DynamoDbIdempotencyStore } from './dynamodb-idempotency-store';
import { DynamoDbRequestStore } from './dynamodb-request-store';
import { emfMetrics } from './emf-metrics';
import { traced } from './tracing';

// One module per AWS SDK client: a handler's bundle then requires only the clients it uses (each
// client costs tens of milliseconds of `require` at cold start).

/** The request store on the table named by `TABLE_NAME`, counting the outcomes it records. */
export function tableStore(): RequestStore {
  return new DynamoDbRequestStore(traced(new DynamoDBClient({})), requireEnv(ENV.tableName), emfMetrics);
}

/** Idempotency keys, in the table named by `TABLE_NAME`. */
export function idempotencyStore(): DynamoDbIdempotencyStore {
  return new DynamoDbIdempotencyStore(traced(new DynamoDBClient({})), requireEnv(ENV.tableName));
}
