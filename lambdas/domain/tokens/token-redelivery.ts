import type { ApprovalRequest, Delivery } from '../requests/approval-request';
import { StepUpError } from '../errors';

/**
 * How long after delivery the same agent may collect the same token again. A lost answer is
 * retried at once (a dropped connection, a client timeout of typically 10–30 s) or after a restart;
 * a minute covers those plus a poll interval (5 s) with room to spare. The copy adds no authority —
 * same `jti`, same `exp`, single use between all copies — but every second of window is a second in
 * which a leaked workload credential could fetch one too, so it is no longer than needed.
 */
export const REDELIVERY_WINDOW_SECONDS = 60;

/**
 * Copies after the first delivery. A client that lost one answer retries once or twice; one that
 * keeps asking is misbehaving, and each copy is recorded on the item, which must stay small.
 */
export const MAX_REDELIVERIES = 3;

/**
 * Checks that `request`'s delivered token may be handed to its agent again at `now`: within the
 * window, unexpired, not yet used by the resource server, and under the copy limit. A token the
 * resource server already consumed is refused rather than handed out again: it could only be
 * rejected, and an agent that used it evidently received it.
 * @throws StepUpError `invalid_grant` otherwise
 */
export function checkRedelivery(request: ApprovalRequest, delivery: Delivery, now: Date): void {
  const already = 'the token for this request was already delivered';
  if (request.consumedAt) throw new StepUpError('invalid_grant', `${already} and used`);
  if (now.getTime() >= Date.parse(delivery.at) + REDELIVERY_WINDOW_SECONDS * 1000) {
    throw new StepUpError(
      'invalid_grant',
      `${already} (a lost answer can be collected again for ${REDELIVERY_WINDOW_SECONDS} s)`,
    );
  }
  if (now.getTime() >= delivery.exp * 1000)
    throw new StepUpError('invalid_grant', `${already} and has expired`);
  if ((delivery.redeliveredAt?.length ?? 0) >= MAX_REDELIVERIES) {
    throw new StepUpError('invalid_grant', `${already} ${MAX_REDELIVERIES + 1} times`);
  }
}
