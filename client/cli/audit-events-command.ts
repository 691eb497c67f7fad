import { noPositionals, parseCommandLine, UsageError } from './args';
import type { AgentContext } from './agent-commands';
import { connection, CONNECTION_OPTIONS, type Connection } from './connection';
import { EXIT } from './exit-codes';
import type { Output } from './policy-command';

/** The filters `stepup audit` passes through to `GET /v1/audit/events`, flag = query parameter. */
const FILTER_OPTIONS = {
  agent: { type: 'string' },
  action: { type: 'string' },
  resource: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
} as const;

/** The flags of `stepup audit`. */
const AUDIT_EVENTS_OPTIONS = {
  ...FILTER_OPTIONS,
  json: { type: 'boolean' },
  follow: { type: 'boolean' },
  ...CONNECTION_OPTIONS,
} as const;

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

function filtersOf(values: { readonly [name in keyof typeof FILTER_OPTIONS]?: string }): URLSearchParams {
  const filters = new URLSearchParams();
  for (const name of Object.keys(FILTER_OPTIONS) as (keyof typeof FILTER_OPTIONS)[]) {
    const value = values[name];
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
  const { values, positionals } = parseCommandLine(argv, AUDIT_EVENTS_OPTIONS);
  noPositionals(positionals);
  const json = values.json === true;
  const follow = values.follow === true;
  if (follow && values.until !== undefined) throw new UsageError('--follow and --until exclude each other');
  const conn = connection(context.env, values);
  const filters = filtersOf(values);
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
