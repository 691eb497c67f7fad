/**
 * What the policy sees of an agent's past (`context.history`): counts of its requests in two
 * windows, and what is pending now, for three scopes. Counted from whole UTC clock hours, so each
 * window covers at least its name: `last_hour` is this clock hour and the one before (60 to 120
 * minutes), `last_24h` this clock hour and the 24 before. A policy therefore errs on the strict side.
 */

/** Counts of one window. `requests` counts every new request (joined duplicates are not new). */
export interface WindowCounts {
  readonly requests: number;
  readonly approved: number;
  readonly denied: number;
  readonly expired: number;
}

/** One scope of the history: two windows, and the requests of the scope pending now. */
export interface ScopeHistory {
  readonly last_hour: WindowCounts;
  readonly last_24h: WindowCounts;
  readonly pending: number;
}

/**
 * The agent's history as `context.history`: `overall` (every request of the agent), `action` (this
 * action, any resource), `action_on_resource` (this action on this resource). The request being
 * decided is not in it.
 */
export interface AgentHistory {
  readonly overall: ScopeHistory;
  readonly action: ScopeHistory;
  readonly action_on_resource: ScopeHistory;
}

/** The counted outcomes of a window, in the order they are shown. */
export const WINDOW_COUNTERS = ['requests', 'approved', 'denied', 'expired'] as const;

/** One counter of a window. */
export type WindowCounter = (typeof WINDOW_COUNTERS)[number];

/** The history scopes, in the order they are shown. */
export const HISTORY_SCOPES = ['overall', 'action', 'action_on_resource'] as const;

/** One scope of {@link AgentHistory}. */
export type HistoryScope = (typeof HISTORY_SCOPES)[number];

/** A window with nothing in it. */
export const NO_COUNTS: WindowCounts = { requests: 0, approved: 0, denied: 0, expired: 0 };
const NO_SCOPE: ScopeHistory = { last_hour: NO_COUNTS, last_24h: NO_COUNTS, pending: 0 };

/** An agent with no past: what a question without history (a policy test, `explain`) is asked with. */
export const EMPTY_HISTORY: AgentHistory = {
  overall: NO_SCOPE,
  action: NO_SCOPE,
  action_on_resource: NO_SCOPE,
};

/** Any part of a history; what is left out is zero. */
export type PartialHistory = {
  readonly [S in HistoryScope]?: {
    readonly last_hour?: Partial<WindowCounts>;
    readonly last_24h?: Partial<WindowCounts>;
    readonly pending?: number;
  };
};

/** A whole history from the parts given (policy test cases, `stepup policy explain --history`). */
export function historyOf(partial: PartialHistory = {}): AgentHistory {
  const scope = (s: HistoryScope): ScopeHistory => ({
    last_hour: { ...NO_COUNTS, ...partial[s]?.last_hour },
    last_24h: { ...NO_COUNTS, ...partial[s]?.last_24h },
    pending: partial[s]?.pending ?? 0,
  });
  return {
    overall: scope('overall'),
    action: scope('action'),
    action_on_resource: scope('action_on_resource'),
  };
}
