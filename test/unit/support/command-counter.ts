import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Every command a DynamoDB client sent, by name and with its input, in order. */
export interface SentCommands {
  readonly sent: { readonly name: string; readonly input: Record<string, unknown> }[];
  /** How many of each command, e.g. `{ QueryCommand: 1, GetItemCommand: 4 }`. */
  counts(): Record<string, number>;
  clear(): void;
}

/** Records the commands `client` sends from now on (the real client; nothing is stubbed). */
export function recordCommands(client: DynamoDBClient): SentCommands {
  const sent: SentCommands['sent'] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ name: context.commandName ?? 'unknown', input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: `recordCommands${Math.random()}` },
  );
  return {
    sent,
    counts: () => {
      const counts: Record<string, number> = {};
      for (const { name } of sent) counts[name] = (counts[name] ?? 0) + 1;
      return counts;
    },
    clear: () => void sent.splice(0),
  };
}
