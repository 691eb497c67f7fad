import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CountingRequestStore } from '../../domain/requests/counting-request-store';
import type { RequestStore } from '../../ports/request-store';
import { DynamoDbAgentHistory } from './dynamodb-agent-history';
import { DynamoDbRequestLimits } from './dynamodb-request-limits';

/** The history counters, the request limits, and a request store that keeps both in step. */
export interface HistoryStores {
  readonly store: RequestStore;
  readonly history: DynamoDbAgentHistory;
  readonly limits: DynamoDbRequestLimits;
}

/**
 * Wraps `inner` so that every request it creates or moves out of pending is counted in the same
 * table (`domain/requests/counting-request-store.ts`).
 * @param onCountFailed hears of a count that failed after its request's write succeeded
 * @param deduplicate config `limits.deduplicate`: a decided request releases its duplicate claim
 */
export function historyStores(
  inner: RequestStore,
  client: DynamoDBClient,
  tableName: string,
  onCountFailed: (error: unknown) => void,
  deduplicate: boolean,
): HistoryStores {
  const history = new DynamoDbAgentHistory(client, tableName);
  const limits = new DynamoDbRequestLimits(client, tableName);
  return {
    store: new CountingRequestStore(inner, history, limits, onCountFailed, deduplicate),
    history,
    limits,
  };
}
