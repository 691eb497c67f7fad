/** The fields that make two requests the same request (and the approval of one good for the other). */
export interface RequestIdentity {
  readonly agent: string;
  readonly action: string;
  readonly resource: string;
  readonly audience: string;
  /** `parameters_sha256`, when the request bound its arguments. */
  readonly parametersSha256?: string;
}

/** The answer a pending request was created with, kept so that duplicates get the same one. */
export interface PendingClaim {
  readonly requestId: string;
  readonly bindingCode: string;
  /** When the request stops being joinable (epoch seconds): its decision deadline. */
  readonly deadline: number;
}

/**
 * Race-free admission of new requests: each method is one conditional single-item write (DynamoDB
 * has transactions, dynalite has not, and none is needed), so concurrent callers are counted exactly.
 */
export interface RequestLimits {
  /**
   * Claims `identity` for the new pending request `claim`.
   * @returns undefined when this call claimed it; else the pending request that holds it
   */
  claimPending(
    identity: RequestIdentity,
    claim: PendingClaim,
    nowEpochSeconds: number,
  ): Promise<PendingClaim | undefined>;
  /** Releases the claim of `requestId` on `identity` (no-op when another request holds it). */
  releasePending(identity: RequestIdentity, requestId: string): Promise<void>;
  /**
   * Counts `requestId` among the agent's requests of the clock hour of `now`, unless `limit` are
   * counted already.
   * @returns true when counted (or already counted), false when the hour is full
   */
  reserveHourly(agent: string, requestId: string, now: Date, limit: number): Promise<boolean>;
  /** Takes `requestId` back out of the hour it was counted in (its creation was refused after all). */
  releaseHourly(agent: string, requestId: string, now: Date): Promise<void>;
  /**
   * Adds `requestId` to the agent's pending requests, unless `limit` are pending already.
   * @returns true when added (or already there), false at the limit
   */
  reserveOpen(agent: string, requestId: string, limit: number): Promise<boolean>;
  /** Takes `requestId` out of the agent's pending requests. */
  releaseOpen(agent: string, requestId: string): Promise<void>;
}
