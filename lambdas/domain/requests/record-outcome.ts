import type { Clock } from '../../ports/clock';
import type { RequestStore } from '../../ports/request-store';
import type { ApprovalRequest, AuditEvent } from './approval-request';
import { eventDigest } from '../audit/audit-chain';
import { StepUpError } from '../errors';
import { REQUEST_ID_PATTERN } from '../ids';
import type { ActionOutcome } from './trace';
import { updateRequest } from './update-request';

/** What `POST /v1/requests/{id}/outcome` answers: the outcome as recorded (the first one, on a repeat). */
export interface RecordedOutcome {
  readonly auth_req_id: string;
  readonly result: ActionOutcome['result'];
  readonly code?: string;
  readonly recorded_at: string;
}

/** Ports the use case needs. */
export interface RecordOutcomeDeps {
  readonly store: RequestStore;
  readonly clock: Clock;
}

function answer(requestId: string, event: AuditEvent): RecordedOutcome {
  const { result, code } = event.detail ?? {};
  return {
    auth_req_id: requestId,
    result: result === 'failed' ? 'failed' : 'succeeded',
    ...(typeof code === 'string' ? { code } : {}),
    recorded_at: event.at,
  };
}

const recordedOutcome = (request: ApprovalRequest) =>
  request.events.find((event) => event.type === 'action_outcome');

/**
 * Records how the action a token allowed ended, as its resource server reports it: one
 * `action_outcome` event, appended to the request's audit chain in one conditional write. Only the
 * token's audience may report it, only after it consumed the token, and only once: the same report
 * again answers as the first did (a retry after a lost answer), a different one is a conflict. The
 * event carries the digest of the consumption event (`consumption_sha256`), which introspection
 * writes outside the chain: from here on the use is covered by the chain too.
 * @param caller the authenticated resource server (its workload `sub`)
 * @throws StepUpError `not_found` (unknown or malformed id), `forbidden` (the caller is not the
 *   request's audience), `conflict` (the token was not used, or another outcome was recorded)
 */
export async function recordOutcome(
  deps: RecordOutcomeDeps,
  caller: string,
  requestId: string,
  outcome: ActionOutcome,
): Promise<RecordedOutcome> {
  if (!REQUEST_ID_PATTERN.test(requestId)) throw new StepUpError('not_found', 'no such request');
  const at = deps.clock.now().toISOString();
  let updated: ApprovalRequest;
  try {
    ({ request: updated } = await updateRequest(deps.store, requestId, (current) => {
      if (current.audience !== caller) {
        throw new StepUpError(
          'forbidden',
          'only the request’s audience (the resource server its token was for) may record how the action ended',
        );
      }
      const recorded = recordedOutcome(current);
      if (recorded) {
        const first = answer(requestId, recorded);
        if (first.result === outcome.result && first.code === outcome.code) return undefined;
        throw new StepUpError(
          'conflict',
          `another outcome was already recorded for this request (${first.result} at ${first.recorded_at})`,
        );
      }
      if (!current.consumption) {
        throw new StepUpError(
          'conflict',
          'the token of this request has not been used: record the outcome after introspection consumed it',
        );
      }
      return {
        ...current,
        events: [
          ...current.events,
          {
            type: 'action_outcome',
            at,
            actor: `resource-server:${caller}`,
            detail: {
              result: outcome.result,
              ...(outcome.code === undefined ? {} : { code: outcome.code }),
              consumption_sha256: eventDigest(current.consumption),
            },
          },
        ],
      };
    }));
  } catch (error) {
    if (error instanceof StepUpError && error.code === 'not_found') {
      throw new StepUpError('not_found', 'no such request');
    }
    throw error;
  }
  const event = recordedOutcome(updated);
  if (!event) throw new Error('the outcome was not recorded');
  return answer(requestId, event);
}
