/**
 * One claim per owner notice, so that a notice is sent at most once for the event it reports,
 * however often the step that reports it runs (a Lambda retry, a Step Functions retry, the
 * reconciler re-driving a decision, two of them racing).
 */
export interface OwnerNoticeClaims {
  /**
   * Claims the notice identified by `key` for the caller, with one conditional write.
   * @returns true for the first claim of `key` only; false for every later one
   * @throws whatever the store throws (nothing was claimed then, as far as the caller knows)
   */
  claim(key: string): Promise<boolean>;
}
