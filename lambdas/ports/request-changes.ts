/**
 * Tells a long-polling token call that a request may have changed, so it can wait for a decision
 * without asking the store in a tight loop. Adapters: DynamoDB polling with backoff in AWS (no
 * notification reaches a Lambda), an in-process notification locally.
 */
export interface RequestChanges {
  /**
   * Resolves once request `id` may have moved past `version` (a newer version, or the item is gone),
   * or at `until`, whichever comes first. It may resolve early; the caller reads the request again.
   * It never rejects because time ran out.
   */
  changedSince(id: string, version: number, until: Date): Promise<void>;
}
