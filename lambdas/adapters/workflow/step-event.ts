/** The payload every workflow Lambda receives (a contract with the synthesized ASL). */
export interface StepEvent {
  readonly request_id: string;
  /** Only AwaitApproval and Escalate receive one. */
  readonly task_token?: string;
  /** Only Escalate receives one: the group to page. */
  readonly escalate_to?: string;
  /** Only RecordFailure receives one: the failed step's error name (`$.failure.Error`). */
  readonly error?: string;
}

/**
 * Checks the payload shape; a malformed one is a wiring bug, so it throws (and the state fails).
 */
export function requestIdOf(event: StepEvent): string {
  if (typeof event?.request_id !== 'string' || event.request_id.length === 0) {
    throw new Error('workflow payload has no request_id');
  }
  return event.request_id;
}
