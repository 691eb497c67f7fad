import type { AgentHistory, WindowCounter } from '../domain/agents/agent-history';
import type { HistoryLeaf } from '../domain/agents/history-use';
import type { Page } from './request-store';

/** One change of a request that the history counts, recorded after the request's own write. */
export interface HistoryEvent {
  readonly agent: string;
  readonly action: string;
  readonly resource: string;
  readonly requestId: string;
  /** When it happened (ISO): picks the hour it is counted in. */
  readonly at: string;
  /** The window counters it adds to (the request's id is added, so a repeat adds nothing). */
  readonly counted: readonly WindowCounter[];
  /** The request became pending (`opened`) or stopped being pending (`closed`). */
  readonly pending?: 'opened' | 'closed';
}

/** What `GET /v1/agents` shows of one agent, from its counters alone. */
export interface AgentActivity {
  readonly agent: string;
  /** The latest counted event of the agent (ISO). */
  readonly lastActivity: string;
  /** Its requests pending now. */
  readonly pending: number;
  /** The last 24 hours (whole clock hours, as `context.history`). */
  readonly last24h: Readonly<Record<WindowCounter, number>>;
  /** The last 7 days (whole UTC days: today and the 7 before). */
  readonly last7d: Readonly<Record<WindowCounter, number>>;
}

/**
 * The counters behind `context.history` and `GET /v1/agents`. Each counter is a set of request ids
 * in a time-bucketed item, so recording is an idempotent add (a retried write cannot count twice)
 * and a count is the set's size.
 */
export interface AgentHistoryStore {
  /**
   * The agent's history for a request for `action` on `resource` at `now`, read in one batch: only
   * the `leaves` asked for (the policies' `historyUse`); every other leaf is 0.
   */
  read(
    agent: string,
    action: string,
    resource: string,
    now: Date,
    leaves: readonly HistoryLeaf[],
  ): Promise<AgentHistory>;
  /** Counts `event` (idempotent). */
  record(event: HistoryEvent): Promise<void>;
  /** One page of every agent that has made a request, with its activity at `now`. */
  activity(now: Date, cursor?: string): Promise<Page<AgentActivity>>;
}
