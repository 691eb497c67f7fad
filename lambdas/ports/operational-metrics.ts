/** CloudWatch namespace of every stepup metric; also the `service` dimension Powertools adds. */
export const METRICS_NAMESPACE = 'stepup';

/** The `service` dimension (and log `service` key) of every stepup function. */
export const SERVICE_NAME = 'stepup';

/**
 * Every metric stepup emits, each a count of one thing that happened. The outcome metrics count a
 * state change once, when the conditional write that made it succeeded (see `outcome-metrics.ts`).
 */
export const OPERATIONAL_METRICS = [
  /** A request was stored; dimension `policyOutcome`: `auto_approve`, `step_up` or `deny`. */
  'RequestCreated',
  'RequestApproved',
  /** An approver denied (a policy denial is `RequestCreated` with `policyOutcome=deny`). */
  'RequestDenied',
  'RequestExpired',
  'RequestCancelled',
  /** The workflow could not finish the request and recorded it as FAILED (RecordFailure). */
  'RequestFailed',
  'TokenDelivered',
  'TokenConsumed',
  'TokenRevoked',
  /** An operator used the per-agent kill switch. */
  'KillSwitch',
  /** A kill switch run finished by the reconciler (its operator's call had run out of time). */
  'KillSwitchCompleted',
  /** A Slack Web API call failed after the client's own retries. */
  'SlackCallFailed',
  /** An agent's owner was told (a DM); dimension `kind`: `denied`, `policy_denied`, `expired` or `kill_switch`. */
  'OwnerNoticeSent',
  /** A DM to an agent's owner failed; notices are sent at most once, so that owner is never told. */
  'OwnerNoticeFailed',
  /** A function started while the Slack secret still held the deploy-time placeholder bot token. */
  'SlackPlaceholderSecret',
  /** KMS refused or failed to sign a token. */
  'SigningFailed',
  /**
   * A `@mode("log_only")` policy would have determined a request's decision; dimensions `policy`
   * (its id) and `wouldDecide` (`auto_approve`, `step_up` or `deny`).
   */
  'PolicyLogOnly',
  /** The reconciler carried a decision through that the workflow had not (a lost SendTaskSuccess, a lost execution). */
  'RequestReconciled',
] as const;

/** Name of one stepup metric. */
export type OperationalMetric = (typeof OPERATIONAL_METRICS)[number];

/** Dimension of `RequestCreated`: what the policy decided. */
export const POLICY_OUTCOME_DIMENSION = 'policyOutcome';

/** Dimension of `OwnerNoticeSent`: why the owner was told. */
export const OWNER_NOTICE_DIMENSION = 'kind';

/** Dimensions of `PolicyLogOnly`: the policy's id and the decision it would have led to. */
export const LOG_ONLY_DIMENSIONS = { policy: 'policy', wouldDecide: 'wouldDecide' } as const;

/** Counts operational events. Implementations must never throw into the caller. */
export interface OperationalMetrics {
  /** Counts one occurrence of `metric`, optionally under extra dimensions. */
  count(metric: OperationalMetric, dimensions?: Readonly<Record<string, string>>): void;
}

/** Counts nothing: tests and the local runtime, which has no CloudWatch. */
export const noMetrics: OperationalMetrics = { count: () => undefined };
