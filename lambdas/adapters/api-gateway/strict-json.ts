import { parse as parseSyntaxTree, type ValueNode } from '@humanwhocodes/momoa';
import { StepUpError } from '../../domain/errors';

/**
 * Whether any object in the tree repeats a member name, compared decoded (`"a"` and `"\u0061"` are
 * the same name). Iterative, so a deep document cannot exhaust the stack here.
 */
function hasDuplicateMember(root: ValueNode): boolean {
  const pending: ValueNode[] = [root];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (node.type === 'Array') pending.push(...node.elements.map((element) => element.value));
    if (node.type !== 'Object') continue;
    const names = new Set<string>();
    for (const member of node.members) {
      const name = member.name.type === 'String' ? member.name.value : member.name.name;
      if (names.has(name)) return true;
      names.add(name);
      pending.push(member.value);
    }
  }
  return false;
}

/**
 * A JSON body, parsed strictly: a member name repeated in one object is refused. `JSON.parse` keeps
 * the last one, so `{"action":"db:DropTable","action":"logs:Read"}` would be judged as a read
 * while a log line, a proxy or another parser in front of us could see the drop. Momoa (the JSON
 * parser ESLint's JSON support is built on) gives the syntax tree; `JSON.parse` still gives the
 * value, so every value keeps exactly the semantics it has always had.
 * @throws StepUpError `invalid_request` for invalid JSON, duplicate names, or nesting too deep to walk
 */
export function parseStrictJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StepUpError('invalid_request', 'body is not valid JSON');
  }
  let tree: ValueNode;
  try {
    tree = parseSyntaxTree(text, { mode: 'json' }).body;
  } catch {
    // Valid JSON (checked above) that the recursive parser cannot walk: only absurd nesting does that.
    throw new StepUpError('invalid_request', 'body nests too deeply');
  }
  if (hasDuplicateMember(tree)) {
    throw new StepUpError('invalid_request', 'body repeats a member name within one object');
  }
  return value;
}
