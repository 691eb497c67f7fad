/** Why an agent's owners are told something. */
export type OwnerNoticeKind = 'denied' | 'expired' | 'policy_denied' | 'kill_switch';

/** What an agent's owners are told: what happened to which agent, and the request it concerned. */
export interface OwnerNotice {
  readonly kind: OwnerNoticeKind;
  /** The agent's workload `sub` (what its kill switch is pulled for). */
  readonly agent: string;
  /** Its registry name. */
  readonly agentName: string;
  /** The request concerned (not for the kill switch). */
  readonly request?: {
    readonly id: string;
    readonly action: string;
    readonly resource: string;
    /** The denier's or the policy's reason. */
    readonly reason?: string;
  };
  /** What the kill switch did (only for `kill_switch`). */
  readonly killSwitch?: {
    readonly cancelled: number;
    readonly revoked: number;
    readonly actor: string;
    /** When the run began: with the agent, it names the run (a later pull starts another). */
    readonly startedAt: string;
  };
}

/** Tells an agent's owners, each privately (a Slack DM in practice), what happened to it. */
export interface OwnerNotifier {
  /**
   * Sends `notice` to each of `owners` (Slack user ids). Never rejects: a notice that cannot be
   * delivered is logged by the adapter, since it must never fail the state change it reports.
   */
  tellOwners(owners: readonly string[], notice: OwnerNotice): Promise<void>;
}
