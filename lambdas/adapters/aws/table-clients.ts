import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KillSwitchLedger } from '../../ports/kill-switch-ledger';
import type { RequestStore } from '../../ports/request-store';
import { ENV, requireEnv } from '../env';
import { DynamoDbDigestBoard } from './dynamodb-digest-board';
import { DynamoDbIdempotencyStore } from './dynamodb-idempotency-store';
import { DynamoDbKillSwitchLedger } from './dynamodb-kill-switch-ledger';
import { DynamoDbOwnerNoticeClaims } from './dynamodb-owner-notice-claims';
import { DynamoDbPasskeyStore } from './dynamodb-passkey-store';
import { DynamoDbRequestStore } from './dynamodb-request-store';
import { logger } from '../logger';
import { historyStores, type HistoryStores } from './agent-history-stores';
import { emfMetrics } from './emf-metrics';
import { PollingRequestChanges } from './polling-request-changes';
import { traced } from './tracing';
import { SDK_CLIENT_OPTIONS } from './sdk-client-options';

// One module per AWS SDK client: a handler's bundle then requires only the clients it uses (each
// client costs tens of milliseconds of `require` at cold start).

let client: DynamoDBClient | undefined;

/** The function's one DynamoDB client (shared by the stores below: one connection pool). */
function tableClient(): DynamoDBClient {
  client ??= traced(new DynamoDBClient({ ...SDK_CLIENT_OPTIONS }));
  return client;
}

let counted: HistoryStores | undefined;

/** The history counters and request limits beside the requests, and the store that keeps them. */
export function tableHistory(): HistoryStores {
  counted ??= historyStores(
    new DynamoDbRequestStore(tableClient(), requireEnv(ENV.tableName), emfMetrics),
    tableClient(),
    requireEnv(ENV.tableName),
    (error) => logger.error('history count failed', { error }),
    // Claims are released whatever `limits.deduplicate` says: the functions that close requests
    // (expire, fail, the Slack vote…) have no config, and releasing a claim nobody made is one
    // conditional write that fails harmlessly.
    true,
  );
  return counted;
}

/**
 * The request store on the table named by `TABLE_NAME`, counting the outcomes it records (metrics)
 * and keeping each agent's history (`context.history`, `GET /v1/agents`).
 */
export function tableStore(): RequestStore {
  return tableHistory().store;
}

/** Pages per approver group and their digests, in the table named by `TABLE_NAME`. */
export function digestBoard(): DynamoDbDigestBoard {
  return new DynamoDbDigestBoard(tableClient(), requireEnv(ENV.tableName));
}

/** Idempotency keys, in the table named by `TABLE_NAME`. */
export function idempotencyStore(): DynamoDbIdempotencyStore {
  return new DynamoDbIdempotencyStore(tableClient(), requireEnv(ENV.tableName));
}

/** Kill switch runs, in the table named by `TABLE_NAME`. */
export function killSwitchLedger(): KillSwitchLedger {
  return new DynamoDbKillSwitchLedger(tableClient(), requireEnv(ENV.tableName));
}

/** The owner notices' claims (each notice sent once), in the table named by `TABLE_NAME`. */
export function ownerNoticeClaims(): DynamoDbOwnerNoticeClaims {
  return new DynamoDbOwnerNoticeClaims(tableClient(), requireEnv(ENV.tableName));
}

/** Passkey links and approvers' passkeys, in the table named by `TABLE_NAME`. */
export function passkeyStore(): DynamoDbPasskeyStore {
  return new DynamoDbPasskeyStore(tableClient(), requireEnv(ENV.tableName));
}

/** Changes of requests in the table named by `TABLE_NAME`, seen by reading with backoff (long-poll). */
export function tableRequestChanges(): PollingRequestChanges {
  return new PollingRequestChanges(
    traced(new DynamoDBClient({ ...SDK_CLIENT_OPTIONS })),
    requireEnv(ENV.tableName),
  );
}
