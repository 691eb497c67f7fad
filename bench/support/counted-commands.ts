import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Counts the DynamoDB commands `client` sends while `run` runs, and times it. */
export async function counted<T>(client: DynamoDBClient, run: () => Promise<T>) {
  const counts: Record<string, number> = {};
  const name = `bench-count-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
      counts[command] = (counts[command] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    const started = performance.now();
    const result = await run();
    return { result, ms: performance.now() - started, counts };
  } finally {
    client.middlewareStack.remove(name);
  }
}
