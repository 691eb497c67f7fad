/** Whether approvers can be paged at all; asked before a request is created. */
export interface PagingReadiness {
  /**
   * Resolves when approvers can be paged.
   * @throws StepUpError `temporarily_unavailable` (with `retryAfterSeconds`) when they cannot
   */
  assertReady(): Promise<void>;
}
