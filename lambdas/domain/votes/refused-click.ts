import type { AuditEvent } from '../requests/approval-request';

/** A click refused for this reason (the stable codes of `record-vote.ts`). */
export interface RefusedClick {
  readonly user: string;
  readonly team: string;
  readonly decision: 'approve' | 'deny';
  readonly refusal: string;
}

/**
 * The audit event of a refused click: who clicked what, and why nothing changed. It is stored beside
 * the request (`AuditLog.recordRefusal`), never in it: a refusal changes no state, anyone in the
 * channel can click any number of times (the request item's size is bounded), and the request's hash
 * chain covers what happened to the request.
 */
export function refusedClickEvent(click: RefusedClick, at: string): AuditEvent {
  return {
    type: 'vote_refused',
    at,
    actor: `slack:${click.team}/${click.user}`,
    detail: { decision: click.decision, refusal: click.refusal },
  };
}
