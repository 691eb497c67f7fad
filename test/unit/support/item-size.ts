import type { AttributeValue } from '@aws-sdk/client-dynamodb';

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** DynamoDB's size of one attribute value (its documented item-size rules, rounded up). */
function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  // Numbers: about one byte per two significant digits, plus one.
  if (value.N !== undefined) return Math.ceil(value.N.replace(/[-.]/g, '').length / 2) + 1;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  if (value.M !== undefined) return 3 + itemSize(value.M) + Object.keys(value.M).length;
  throw new Error(`no size rule for ${Object.keys(value).join()}`);
}

/** The size DynamoDB counts for an item: attribute names plus values, in bytes. */
export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}
