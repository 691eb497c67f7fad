import {
  CancelledError,
  DeniedError,
  ExpiredError,
  FailedError,
  InvalidRequestError,
  UnauthenticatedError,
} from '../agent';
import type { ElevationStatus } from './output-schemas';

/** What the tools tell the model about any decision: it was about the action, not the wording. */
export const NO_REWORDING =
  'If the request is denied or forbidden, do NOT ask again with a reworded or different justification, and ' +
  'do not try to reach the same outcome another way: the decision was about the action, not the wording. ' +
  'Stop and tell the user the reason instead.';

/** A tool answer for a request that ended (or never started) without a token. */
export interface Refusal extends Record<string, unknown> {
  readonly status: ElevationStatus;
  readonly instructions: string;
}

/**
 * Where the error came from: creating the request (only policy can refuse then: no human has seen it),
 * or waiting for its decision.
 */
export type RefusalStage = 'create' | 'wait';

/**
 * The tool answer for how a request ended without a token, with what the model should do next; undefined
 * when `error` is not one of those endings (a real failure).
 */
export function refusal(
  error: unknown,
  id: string | undefined,
  stage: RefusalStage = 'wait',
): Refusal | undefined {
  const requestId = (error as { requestId?: string } | undefined)?.requestId ?? id;
  const about = requestId ? { auth_req_id: requestId } : {};
  if (error instanceof DeniedError && (error.policies.length > 0 || stage === 'create')) {
    const policies = error.policies.length > 0 ? error.policies.join(', ') : 'none permits it';
    return {
      status: 'forbidden_by_policy',
      ...about,
      reason: error.reason,
      policies: [...error.policies],
      instructions:
        `No human was asked: stepup's policy forbids this action (policies: ${policies}). Do not perform ` +
        'it, do not rephrase the request or split it up to get around the policy, and do not try another ' +
        `way to the same outcome. Tell the user which stepup policy forbids it (${policies}): ${error.reason}`,
    };
  }
  if (error instanceof DeniedError) {
    return {
      status: 'denied',
      ...about,
      reason: error.reason,
      instructions: `A human approver decided against this action. Do not perform it. ${NO_REWORDING}`,
    };
  }
  if (error instanceof InvalidRequestError) {
    return {
      status: 'invalid_request',
      ...about,
      error: error.code,
      error_description: error.message,
      instructions:
        'stepup refused the request as malformed; nobody decided anything about it. Fix the field the ' +
        'error_description names (list_elevation_options lists the actions and audiences stepup knows) ' +
        'and call request_elevation once more. If it is refused again, stop and tell the user what ' +
        'stepup said.',
    };
  }
  if (error instanceof ExpiredError) {
    return {
      status: 'expired',
      ...about,
      reason: error.message,
      instructions:
        'Nobody approved in time (or the token was not collected in time). Do not perform the action. ' +
        'Ask the user whether to request approval again.',
    };
  }
  if (error instanceof CancelledError) {
    return {
      status: 'cancelled',
      ...about,
      reason: error.message,
      instructions:
        'The request was withdrawn (by this agent or an operator). Do not perform the action, and do not ' +
        'ask again unless the user tells you to.',
    };
  }
  if (error instanceof FailedError) {
    return {
      status: 'failed',
      ...about,
      reason: error.message,
      instructions:
        'stepup could not complete the approval; nothing was granted. Do not perform the action. ' +
        'This was a fault, not a decision: you may request approval again with request_elevation.',
    };
  }
  if (error instanceof UnauthenticatedError) {
    return {
      status: 'unauthenticated',
      ...about,
      reason: error.reason,
      instructions:
        'stepup did not accept this agent’s own workload token (STEPUP_TOKEN), so nothing was asked or ' +
        'decided. Calling again will not help. Do not perform the action; tell the user that the agent’s ' +
        `stepup credential must be renewed: ${error.reason}`,
    };
  }
  return undefined;
}
