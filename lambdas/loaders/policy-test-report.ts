import type { LogOnlyView } from '../domain/votes/decision-view';
import type { PolicyTestResult } from '../domain/policy/policy-test';

/*
 * How `stepup policy test` and `cdk synth` show a run of policy tests: a table of every case, then,
 * for each failing case, what was expected and what the policies decided, field by field.
 */

function summary(decision: { readonly decision: string; readonly policies?: readonly string[] }): string {
  return decision.policies === undefined
    ? decision.decision
    : `${decision.decision} (${decision.policies.join(', ') || 'no policy'})`;
}

function logOnly(view: LogOnlyView | null | undefined): string {
  return view ? `would ${view.decision} (${view.policies.join(', ')})` : '-';
}

/** The table: one row per case (case, expected, actual, ok, and what log-only policies would decide). */
export function policyTestTable(results: readonly PolicyTestResult[]): string[] {
  const rows = results.map((r) => [
    r.testCase.name,
    summary(r.testCase.expect),
    r.actual ? summary(r.actual) : 'error',
    r.mismatches.length === 0 ? 'ok' : 'FAIL',
    logOnly(r.actual?.log_only),
  ]);
  const header = ['case', 'expected', 'actual', 'ok', 'log-only (not enforced)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

const show = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value));

/** For each failing case: where it is written, and each field that differs, expected then actual. */
export function policyTestDiff(results: readonly PolicyTestResult[]): string[] {
  const lines: string[] = [];
  for (const r of results.filter((result) => result.mismatches.length > 0)) {
    lines.push(`FAIL ${r.testCase.source} "${r.testCase.name}"`);
    for (const m of r.mismatches) {
      lines.push(`  ${m.field}:`, `    - expected ${show(m.expected)}`, `    + actual   ${show(m.actual)}`);
    }
  }
  return lines;
}

/** The last line: how many cases passed. */
export function policyTestSummary(results: readonly PolicyTestResult[]): string {
  const failed = results.filter((r) => r.mismatches.length > 0).length;
  return failed === 0
    ? `ok: all ${results.length} policy test cases pass`
    : `${failed} of ${results.length} policy test cases fail`;
}
