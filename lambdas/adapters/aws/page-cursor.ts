import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** A query's `LastEvaluatedKey` as an opaque cursor (base64url JSON); absent on the last page. */
export function encodeCursor(lastKey: Record<string, AttributeValue> | undefined): string | undefined {
  return lastKey && Buffer.from(JSON.stringify(lastKey)).toString('base64url');
}

/** The `ExclusiveStartKey` a cursor from {@link encodeCursor} stands for. */
export function decodeCursor(cursor: string | undefined): Record<string, AttributeValue> | undefined {
  return cursor === undefined
    ? undefined
    : (JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Record<string, AttributeValue>);
}
