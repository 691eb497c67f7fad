import type { AgentActivity, AgentHistoryStore } from '../../ports/agent-history-store';
import type { Clock } from '../../ports/clock';
import type { KillSwitchLedger } from '../../ports/kill-switch-ledger';
import type { WindowCounts } from './agent-history';
import { StepUpError } from '../errors';

/** What `GET /v1/agents` needs. */
export interface AgentsOverviewDeps {
  readonly history: Pick<AgentHistoryStore, 'activity'>;
  readonly killSwitches: Pick<KillSwitchLedger, 'get'>;
  /** Workload subs that may see every agent (config `operators`). */
  readonly operators: readonly string[];
  readonly clock: Clock;
}

/** An agent's kill switch as the overview shows it: never pulled is `null`. */
export interface KillSwitchView {
  readonly state: 'running' | 'completed';
  readonly operator: string;
  readonly started_at: string;
  readonly completed_at?: string;
  readonly cancelled: number;
  readonly revoked: number;
}

/**
 * One agent in `GET /v1/agents`. An object per agent, keyed by `agent`, so that what the agent
 * registry knows of it (owners, team) can be added beside the counters.
 */
export interface AgentView {
  readonly agent: string;
  readonly last_activity: string;
  readonly pending: number;
  readonly last_24h: WindowCounts;
  readonly last_7d: WindowCounts;
  readonly kill_switch: KillSwitchView | null;
}

/** One page of the overview; `cursor` continues it and is absent on the last page. */
export interface AgentsPage {
  readonly agents: readonly AgentView[];
  readonly cursor?: string;
}

async function viewOf(deps: AgentsOverviewDeps, activity: AgentActivity): Promise<AgentView> {
  const run = await deps.killSwitches.get(activity.agent);
  return {
    agent: activity.agent,
    last_activity: activity.lastActivity,
    pending: activity.pending,
    last_24h: activity.last24h,
    last_7d: activity.last7d,
    kill_switch: run
      ? {
          state: run.completedAt ? 'completed' : 'running',
          operator: run.operator,
          started_at: run.startedAt,
          ...(run.completedAt ? { completed_at: run.completedAt } : {}),
          cancelled: run.cancelled,
          revoked: run.revoked,
        }
      : null,
  };
}

/**
 * Every agent that has made a request, one page at a time, for operators: last activity, counts of
 * its requests over 24 hours and 7 days, pending now, and its kill switch.
 * @throws StepUpError `forbidden` for a caller that is not an operator
 */
export async function agentsOverview(
  deps: AgentsOverviewDeps,
  caller: string,
  cursor?: string,
): Promise<AgentsPage> {
  if (!deps.operators.includes(caller)) {
    throw new StepUpError('forbidden', 'only operators may list the agents');
  }
  const page = await deps.history.activity(deps.clock.now(), cursor);
  const agents = await Promise.all(page.items.map((activity) => viewOf(deps, activity)));
  return page.cursor ? { agents, cursor: page.cursor } : { agents };
}
