import { leavesUnder, orderedLeaves, type HistoryLeaf } from '../../domain/agents/history-use';
import type { cedar } from './cedar-wasm';

/** A policy in Cedar's JSON form (`policyToJson`). */
export type PolicyJson = Extract<ReturnType<typeof cedar.policyToJson>, { type: 'success' }>['json'];

/**
 * The attribute path a `.`/`has` chain reads when it starts at the variable `context`
 * (`context.history.action` → `['history', 'action']`), else undefined.
 */
function contextPath(node: Record<string, unknown>): string[] | undefined {
  const path: string[] = [];
  let at: unknown = node;
  for (;;) {
    const step = at as Record<string, { left: unknown; attr: string | string[] } | undefined>;
    const access = step['.'] ?? step.has;
    if (!access) break;
    // `e has a.b` reads the path a.b of e; `e.a` the attribute a.
    path.unshift(...(Array.isArray(access.attr) ? access.attr : [access.attr]));
    at = access.left;
  }
  return (at as { Var?: unknown }).Var === 'context' ? path : undefined;
}

/**
 * Every attribute path of `context` that `expression` reads. `[]` stands for the whole context: the
 * variable used other than at the start of an attribute chain (compared, passed to a function…).
 */
function contextReads(expression: unknown, reads: string[][]): void {
  if (Array.isArray(expression)) {
    for (const item of expression) contextReads(item, reads);
    return;
  }
  if (typeof expression !== 'object' || expression === null) return;
  const node = expression as Record<string, unknown>;
  const path = contextPath(node);
  if (path) {
    reads.push(path);
    return;
  }
  for (const [operator, operands] of Object.entries(node)) {
    // A literal is data, never a read; a record literal's keys are names, its values expressions;
    // every other operator's operands are expressions, or arrays of them, by field.
    if (operator === 'Value' || typeof operands !== 'object' || operands === null) continue;
    if (Array.isArray(operands)) contextReads(operands, reads);
    else for (const operand of Object.values(operands)) contextReads(operand, reads);
  }
}

/**
 * The leaves of `context.history` that `policies` can read, in the history's order: those under
 * every path of `context` their conditions read, the whole history where a condition uses `context`
 * or `context.history` as a whole (or tests it with `has`). The decision of these policies depends on
 * no other leaf, so only these need to be counted, read and sent.
 * @example
 * historyReads([policyJson('… when { context.history.action.last_24h.denied > 2 }')])
 * // ['action.last_24h.denied']
 */
export function historyReads(policies: readonly PolicyJson[]): HistoryLeaf[] {
  const reads: string[][] = [];
  for (const policy of policies) {
    for (const clause of policy.conditions) contextReads(clause.body, reads);
  }
  return orderedLeaves(
    reads.flatMap(([first, ...rest]) =>
      first === undefined ? leavesUnder([]) : first === 'history' ? leavesUnder(rest) : [],
    ),
  );
}
