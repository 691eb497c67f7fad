import type { Page } from './request-store';

/** What is known of an agent's kill switch: who pulled it, how far it got, whether it is done. */
export interface KillSwitchRun {
  readonly agent: string;
  /**
   * Who started this run (later pulls while it runs join it): an operator's sub, or
   * `owner:<slack user>` when one of the agent's owners pulled it.
   */
  readonly operator: string;
  readonly startedAt: string;
  /** Pending requests cancelled so far by this run, by whoever carried it on. */
  readonly cancelled: number;
  /** Unused grants revoked so far by this run. */
  readonly revoked: number;
  /** When nothing of the agent was left open; absent while the run goes on. */
  readonly completedAt?: string;
}

/** What one stretch of a kill switch run did. */
export interface KillSwitchProgress {
  readonly cancelled: number;
  readonly revoked: number;
  /** Set when this stretch found nothing of the agent left open. */
  readonly completedAt?: string;
}

/**
 * The durable record of kill switch runs, so that a run larger than one invocation (or cut short by
 * a crash or a timeout) is carried on by the reconciler until it is complete. Each method is one
 * conditional item write or one index query; nothing scans.
 */
export interface KillSwitchLedger {
  /**
   * Records a pull of the kill switch for `agent`: starts a new run unless one is still going, which
   * the pull then joins.
   * @returns the run this pull belongs to
   */
  begin(agent: string, operator: string, at: string): Promise<KillSwitchRun>;
  /**
   * Adds what a stretch of work did to the run started at `startedAt`, and closes it when
   * `progress.completedAt` is set (it then leaves {@link listRunning}).
   * @returns the run after the update
   */
  record(agent: string, startedAt: string, progress: KillSwitchProgress): Promise<KillSwitchRun>;
  /** The agent's latest run, if its kill switch was ever pulled. */
  get(agent: string): Promise<KillSwitchRun | undefined>;
  /** One page of the agents whose run is not complete yet, oldest run first. */
  listRunning(cursor?: string): Promise<Page<string>>;
}
