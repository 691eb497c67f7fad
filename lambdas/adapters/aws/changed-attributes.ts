import { isDeepStrictEqual } from 'node:util';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** An `UpdateExpression` with its placeholders. */
export interface AttributeUpdate {
  readonly expression: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, AttributeValue>;
}

/** The elements added at the end when `after` is the list `before` grown; undefined otherwise. */
function appendedTo(before: AttributeValue | undefined, after: AttributeValue): AttributeValue[] | undefined {
  const old = before?.L;
  const next = after.L;
  if (old === undefined || next === undefined || next.length <= old.length) return undefined;
  return old.every((element, i) => isDeepStrictEqual(element, next[i])) ? next.slice(old.length) : undefined;
}

/**
 * The `UpdateItem` that turns the stored item `before` into `after`, touching only top-level
 * attributes that differ: `SET` what is new or changed, `REMOVE` what `after` lacks, and a list that
 * only grew (the audit trail) gets `list_append` of its new elements instead of being sent again.
 * Key attributes must be equal in both (they cannot be updated).
 */
export function changedAttributes(
  before: Record<string, AttributeValue>,
  after: Record<string, AttributeValue>,
): AttributeUpdate {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const set: string[] = [];
  const remove: string[] = [];
  let n = 0;
  for (const [attribute, value] of Object.entries(after)) {
    const old = before[attribute];
    if (old !== undefined && isDeepStrictEqual(old, value)) continue;
    const name = `#a${n}`;
    const placeholder = `:a${n++}`;
    names[name] = attribute;
    const appended = appendedTo(old, value);
    if (appended) {
      values[placeholder] = { L: appended };
      set.push(`${name} = list_append(${name}, ${placeholder})`);
    } else {
      values[placeholder] = value;
      set.push(`${name} = ${placeholder}`);
    }
  }
  for (const attribute of Object.keys(before)) {
    if (attribute in after) continue;
    const name = `#a${n++}`;
    names[name] = attribute;
    remove.push(name);
  }
  const clauses = [
    set.length ? `SET ${set.join(', ')}` : '',
    remove.length ? `REMOVE ${remove.join(', ')}` : '',
  ];
  return { expression: clauses.filter(Boolean).join(' '), names, values };
}
