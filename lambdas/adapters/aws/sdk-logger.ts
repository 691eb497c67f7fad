import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/** The SDK's logger interface (the same type for every client). */
type Logger = NonNullable<DynamoDBClientConfig['logger']>;

const silent = () => undefined;

/**
 * The logger every AWS SDK client of stepup gets: silent, as the SDK's default `NoOpLogger` is, but
 * with no `info`. The SDK's logger middleware calls `logger?.info?.(…)` after every command with a
 * copy of its input and output, sensitive members redacted by walking the operation's schema; the
 * copy is built before a no-op `info` discards it, ~0.15 ms of CPU per DynamoDB read here (`npm run
 * bench:policy`). Without `info` the call, and so the copy, is skipped. Nothing else in the SDK
 * calls `info`.
 */
// The SDK types `logger` as a full Logger although its one `info` call is optional-chained.
export const sdkLogger = { debug: silent, warn: silent, error: silent } as unknown as Logger;
