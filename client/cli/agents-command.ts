import type { AgentContext } from './agent-commands';
import { noPositionals, parseCommandLine } from './args';
import { connection, CONNECTION_OPTIONS } from './connection';
import { EXIT } from './exit-codes';
import type { Output } from './policy-command';

/** Usage of `stepup agents`. */
export const AGENTS_USAGE = `usage:
  stepup agents [--json] [--url URL] [--token JWT]

agents    every agent that has made a request (operators only, config operators): last activity,
          requests/approved/denied/expired over 24 h and 7 days, pending now, kill switch.`;

interface Counts {
  readonly requests: number;
  readonly approved: number;
  readonly denied: number;
  readonly expired: number;
}

/** One agent as `GET /v1/agents` answers it (the fields this command shows). */
interface AgentRow {
  readonly agent: string;
  readonly last_activity: string;
  readonly pending: number;
  readonly last_24h: Counts;
  readonly last_7d: Counts;
  readonly kill_switch: { readonly state: string; readonly operator: string } | null;
}

const counts = (c: Counts) => `${c.requests}/${c.approved}/${c.denied}/${c.expired}`;

/** The agents as a table, one line each, columns padded to their widest cell. */
export function agentsTable(agents: readonly AgentRow[]): string[] {
  const rows = [
    ['AGENT', 'LAST ACTIVITY', 'PENDING', '24H REQ/APPR/DENY/EXP', '7D REQ/APPR/DENY/EXP', 'KILL SWITCH'],
    ...agents.map((a) => [
      a.agent,
      a.last_activity,
      String(a.pending),
      counts(a.last_24h),
      counts(a.last_7d),
      a.kill_switch ? `${a.kill_switch.state} (${a.kill_switch.operator})` : '-',
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

/** `stepup agents`: every page of `GET /v1/agents`, as a table or (`--json`) one JSON array. */
export async function agentsCommand(
  argv: readonly string[],
  output: Output,
  context: AgentContext,
): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
    json: { type: 'boolean' },
    ...CONNECTION_OPTIONS,
  });
  noPositionals(positionals);
  const conn = connection(context.env, values);
  const agents: AgentRow[] = [];
  let cursor: string | undefined;
  do {
    const url = new URL('/v1/agents', conn.url);
    if (cursor) url.searchParams.set('cursor', cursor);
    const response = await fetch(url, { headers: { authorization: `Bearer ${conn.token()}` } });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.status !== 200) {
      output.err(`stepup: ${String(body.error ?? response.status)}: ${String(body.error_description ?? '')}`);
      return EXIT.error;
    }
    agents.push(...((body.agents as AgentRow[] | undefined) ?? []));
    cursor = typeof body.cursor === 'string' ? body.cursor : undefined;
  } while (cursor);
  if (values.json === true) output.out(JSON.stringify(agents, null, 2));
  else agentsTable(agents).forEach((line) => output.out(line));
  return EXIT.ok;
}
