import { flag, parseArgs, rejectUnknownFlags, UsageError, type ParsedArgs } from './args';
import type { AgentContext } from './agent-commands';
import { connection, type Connection } from './connection';
import { EXIT } from './exit-codes';
import type { Output } from './policy-command';

/** The filters `stepup audit` passes through to `GET /v1/audit/events`, flag = query parameter. */
const FILTERS = ['agent', 'action', 'resource', 'since', 'until'] as const;

/** How often `--follow` asks for newer events. */
const FOLLOW_INTERVAL_MS = 2000;

/** One event as `GET /v1/audit/events` lists it. */
interface ListedEvent {
  readonly auth_req_id: string;
  readonly agent: string;
  readonly action: string;
  readonly resource: string;
  readonly type: string;
  readonly at: string;
  readonly actor: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

interface EventsPage {
  readonly events: readonly ListedEvent[];
  readonly cursor?: string;
}

/** One page from the operators' route; an error answer is thrown with its description. */
async function fetchPage(
  conn: Connection,
  query: URLSearchParams,
  signal?: AbortSignal,
): Promise<EventsPage> {
  const response = await fetch(`${conn.url.replace(/\/$/, '')}/v1/audit/events?${query}`, {
    headers: { authorization: `Bearer ${conn.token()}` },
    signal,
  });
  const body = (await response.json().catch(() => ({}))) as Partial<EventsPage> & {
    error?: string;
    error_description?: string;
  };
  if (!response.ok) {
    throw new Error(
      `${body.error ?? `HTTP ${response.status}`}: ${body.error_description ?? 'no description'}`,
    );
  }
  return { events: body.events ?? [], cursor: body.cursor };
}

/** Every event matching `filters`, newest first (all pages). */
async function allEvents(
  conn: Connection,
  filters: URLSearchParams,
  signal?: AbortSignal,
): Promise<ListedEvent[]> {
  const events: ListedEvent[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams(filters);
    if (cursor) query.set('cursor', cursor);
    const page = await fetchPage(conn, query, signal);
    events.push(...page.events);
    cursor = page.cursor;
  } while (cursor);
  return events;
}

/** One line per event: time, type, actor, the request (agent, action, resource, id), the detail. */
function line(event: ListedEvent, json: boolean): string {
  if (json) return JSON.stringify(event);
  const detail = Object.entries(event.detail ?? {})
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
  return [
    event.at,
    event.type,
    event.actor,
    event.agent,
    event.action,
    event.resource,
    event.auth_req_id,
    detail,
  ]
    .filter(Boolean)
    .join('  ');
}

/** What identifies an event across polls (the same event comes back while it is inside the window). */
const identity = (event: ListedEvent) => `${event.auth_req_id} ${event.type} ${event.at} ${event.actor}`;

function filtersOf(args: ParsedArgs): URLSearchParams {
  const filters = new URLSearchParams();
  for (const name of FILTERS) {
    const value = flag(args, name);
    if (value !== undefined) filters.set(name, value);
  }
  return filters;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * `stepup audit [--agent A] [--action X] [--resource R] [--since T] [--until T] [--json] [--follow]`:
 * every agent's audit events (operators only), oldest first so the newest ends the output; `--follow`
 * then keeps printing new ones until interrupted.
 */
export async function auditEventsCommand(
  argv: readonly string[],
  output: Output,
  context: AgentContext,
): Promise<number> {
  const args = parseArgs(argv, ['json', 'follow']);
  rejectUnknownFlags(args, ['url', 'token', 'json', 'follow', ...FILTERS]);
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const json = flag(args, 'json') !== undefined;
  const follow = flag(args, 'follow') !== undefined;
  if (follow && flag(args, 'until') !== undefined)
    throw new UsageError('--follow and --until exclude each other');
  const conn = connection(context.env, args);
  const filters = filtersOf(args);
  const seen = new Set<string>();
  const print = (events: readonly ListedEvent[]) => {
    for (const event of [...events].reverse()) {
      if (seen.has(identity(event))) continue;
      seen.add(identity(event));
      output.out(line(event, json));
    }
  };
  const first = await allEvents(conn, filters, context.signal);
  print(first);
  if (!follow) return EXIT.ok;
  let newest = first[0]?.at ?? filters.get('since') ?? undefined;
  while (!context.signal?.aborted) {
    await pause(FOLLOW_INTERVAL_MS, context.signal);
    if (context.signal?.aborted) break;
    // From the newest instant seen, inclusive: another event may share it (printed ones are skipped).
    const window = new URLSearchParams(filters);
    if (newest) window.set('since', newest);
    const found = await allEvents(conn, window, context.signal).catch((error: unknown) => {
      if (context.signal?.aborted) return [];
      throw error;
    });
    print(found);
    newest = found[0]?.at ?? newest;
  }
  return EXIT.interrupted;
}
