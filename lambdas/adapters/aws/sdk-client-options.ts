import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/** The SDK's logger interface (the same type for every client). */
type Logger = NonNullable<DynamoDBClientConfig['logger']>;

const silent = () => undefined;

/**
 * A logger as silent as the SDK's default `NoOpLogger`, but with no `info`. The SDK's logger
 * middleware calls `logger?.info?.(…)` after every command with a copy of its input and output,
 * sensitive members redacted by walking the operation's schema; the copy is built before a no-op
 * `info` discards it, ~0.15 ms of CPU per DynamoDB read here (`npm run bench:policy`). Without
 * `info` the call, and so the copy, is skipped. Nothing else in the SDK calls `info`.
 */
// The SDK types `logger` as a full Logger although its one `info` call is optional-chained.
export const sdkLogger = { debug: silent, warn: silent, error: silent } as unknown as Logger;

/**
 * What every AWS SDK client of the functions is built with, e.g.
 * `new DynamoDBClient({ ...SDK_CLIENT_OPTIONS })`:
 * - `logger`: {@link sdkLogger};
 * - `cacheMiddleware`: the client resolves a command's middleware stack once per command class
 *   instead of on every call (a DynamoDB history read here: ~0.1 ms wall, ~0.24 ms CPU less). A
 *   middleware added after a command's first call would then be missed; no function adds one (the
 *   tracer's is added when the client is made, `traced()`).
 */
export const SDK_CLIENT_OPTIONS = { logger: sdkLogger, cacheMiddleware: true } as const;
