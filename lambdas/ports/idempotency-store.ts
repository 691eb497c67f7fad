/** What an `Idempotency-Key` was first used for. */
export interface IdempotencyRecord {
  /** SHA-256 of the canonical request body. */
  readonly bodyHash: string;
  /** The request the key created (or is creating). */
  readonly requestId: string;
}

/** Remembers `Idempotency-Key`s per agent, so a retried create never makes a second request. */
export interface IdempotencyStore {
  /**
   * Claims `key` for `agent` with `record`, in one conditional write.
   * @returns undefined when this call claimed it; otherwise the record of the earlier claim
   */
  claim(
    agent: string,
    key: string,
    record: IdempotencyRecord,
    nowEpochSeconds: number,
  ): Promise<IdempotencyRecord | undefined>;
}
