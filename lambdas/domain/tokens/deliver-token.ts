import type { Clock } from '../../ports/clock';
import type { RequestChanges } from '../../ports/request-changes';
import type { RequestStore } from '../../ports/request-store';
import type { TokenSigner } from '../../ports/token-signer';
import {
  approvalAssurance,
  approvers,
  decisionDeadline,
  policyLabel,
  type ApprovalRequest,
  type AuthorizationDetail,
  type Delivery,
  type Grant,
} from '../requests/approval-request';
import { StepUpError } from '../errors';
import { POLL_INTERVAL_SECONDS } from '../requests/create-request';
import { checkRedelivery } from './token-redelivery';
import { traceClaim } from '../requests/trace';
import { updateRequest } from '../requests/update-request';
import { waitForDecision } from '../requests/wait-for-decision';

/** The access token response (RFC 6749 §5.1 with RFC 9396 details). */
export interface TokenResponse {
  readonly access_token: string;
  /** `DPoP` when the token is bound to the agent's key (RFC 9449 §5). */
  readonly token_type: 'Bearer' | 'DPoP';
  readonly expires_in: number;
  readonly authorization_details: readonly AuthorizationDetail[];
}

/** Ports token delivery needs. */
export interface DeliverTokenDeps {
  readonly store: RequestStore;
  readonly signer: TokenSigner;
  readonly clock: Clock;
  /** `iss` of every token. */
  readonly issuer: string;
  /** Wakes a waiting poll (long-poll) when the request changes. */
  readonly changes: RequestChanges;
}

/** What a poll of an approved request may collect: the grant, and its earlier delivery if any. */
interface Collectable {
  readonly grant: Grant;
  readonly delivery?: Delivery;
}

function pollAnswer(request: ApprovalRequest, now: Date): Collectable {
  switch (request.status) {
    case 'PENDING':
      // Expiry is checked here too: an answer never depends on the workflow having run on time.
      if (now.getTime() >= decisionDeadline(request)) {
        throw new StepUpError('expired_token', 'the approval request expired before anyone approved it');
      }
      throw notDecidedYet();
    case 'DENIED':
      throw new StepUpError(
        'access_denied',
        request.denialReason ? `denied by an approver: ${request.denialReason}` : 'denied by an approver',
      );
    case 'EXPIRED':
      throw new StepUpError('expired_token', 'the approval request expired before anyone approved it');
    case 'CANCELLED':
      throw new StepUpError('access_denied', 'the request was cancelled or revoked');
    case 'FAILED':
      throw new StepUpError('transaction_failed', failureDescription(request));
    case 'APPROVED':
      if (!request.grant)
        throw new StepUpError('authorization_pending', 'approved; the grant is being issued');
      if (request.revokedAt) throw new StepUpError('access_denied', 'the grant was revoked');
      if (request.delivery) {
        checkRedelivery(request, request.delivery, now);
        return { grant: request.grant, delivery: request.delivery };
      }
      if (now.getTime() > Date.parse(request.grant.pickupBy)) {
        throw new StepUpError('expired_token', 'the approved token was not collected in time');
      }
      return { grant: request.grant };
  }
}

/** The access token's claims for a delivered grant (design §4, RFC 9068 profile). */
function tokenClaims(
  request: ApprovalRequest,
  grant: Grant,
  issuer: string,
  iat: number,
): Record<string, unknown> {
  // A verified human becomes the subject and the agent the actor (RFC 8693); an asserted one never does.
  const human = request.humanVerified && request.onBehalfOf ? request.onBehalfOf : undefined;
  return {
    iss: issuer,
    aud: request.audience,
    sub: human ?? request.agent,
    ...(human ? { act: { sub: request.agent } } : {}),
    client_id: request.agent,
    iat,
    nbf: iat,
    exp: iat + grant.ttlSeconds,
    jti: grant.jti,
    authorization_details: grant.authorizationDetails,
    approval: {
      request_id: request.id,
      approvers: approvers(request),
      policy: policyLabel(request.requirements),
      decided_at: request.decidedAt,
      assurance: approvalAssurance(request),
    },
    ...(request.dpopJkt ? { cnf: { jkt: request.dpopJkt } } : {}),
    ...traceClaim(request.trace),
  };
}

/** Why a FAILED request has no token, in the agent's terms (never the internal error). */
function failureDescription(request: ApprovalRequest): string {
  const wasApproved =
    request.events.findLast((e) => e.type === 'failed')?.detail?.previous_status === 'approved';
  const step = wasApproved ? 'it was approved, but issuing the grant failed' : 'closing the request failed';
  return `the approval could not be completed: ${step}; nothing was granted, ask again`;
}

/**
 * A poll of a still-pending request: `authorization_pending`, or `slow_down` (with a longer
 * interval) when it came before the previous poll plus the interval.
 */
async function pendingAnswer(deps: DeliverTokenDeps, requestId: string, now: Date): Promise<never> {
  const gate = await deps.store.recordPoll(requestId, now.getTime(), POLL_INTERVAL_SECONDS);
  if (!gate.onTime) {
    throw new StepUpError('slow_down', `polling too often: poll at most every ${gate.intervalSeconds} s`, {
      interval: gate.intervalSeconds,
    });
  }
  throw notDecidedYet();
}

/** The answer to a poll of a request nobody has decided yet. */
function notDecidedYet(): StepUpError {
  return new StepUpError('authorization_pending', 'the approvers have not decided yet');
}

/**
 * The CIBA poll. On approval it signs the token and records its delivery in one conditional write.
 * A poll by the same agent within `REDELIVERY_WINDOW_SECONDS` (60 s) of delivery, whose answer may
 * have been lost, gets the same token again: the same claims, `iat` and `jti`, re-signed, so it is
 * usable once between all copies and no signed token is ever stored. Each copy is recorded in
 * `delivery.redeliveredAt` (one conditional write), not as another `token_delivered`. Later polls,
 * and polls for a token already used or past `MAX_REDELIVERIES` copies (`token-redelivery.ts`), get
 * `invalid_grant`. Only the requesting agent may redeem; anyone else is told the id is unknown.
 * Pending polls are paced (`slow_down`).
 *
 * With `waitSeconds` (long-poll, at most `TOKEN_WAIT_MAX_SECONDS`) the call first waits for the
 * decision ({@link waitForDecision}), then answers exactly as a poll would at that moment, except
 * that a waited call that is still pending is not paced: it already waited at least the interval.
 */
export async function deliverToken(
  deps: DeliverTokenDeps,
  agent: string,
  requestId: string,
  waitSeconds = 0,
): Promise<TokenResponse> {
  const unknown = () => new StepUpError('invalid_grant', 'unknown auth_req_id');
  let response: TokenResponse | undefined;
  if (waitSeconds > 0) await waitForDecision(deps, agent, requestId, waitSeconds);
  try {
    // One read per poll: the transition answers pending polls (and paces them) before any write.
    await updateRequest(deps.store, requestId, async (current) => {
      if (current.agent !== agent) throw unknown();
      const now = deps.clock.now();
      if (current.status === 'PENDING' && now.getTime() < decisionDeadline(current)) {
        if (waitSeconds > 0) throw notDecidedYet();
        await pendingAnswer(deps, requestId, now);
      }
      const { grant, delivery } = pollAnswer(current, now);
      // A copy carries the first delivery's iat, hence the same exp: identical claims.
      const iat = Math.floor(Date.parse(delivery?.at ?? now.toISOString()) / 1000);
      const claims = tokenClaims(current, grant, deps.issuer, iat);
      const exp = claims.exp as number;
      response = {
        access_token: await deps.signer.sign(claims),
        token_type: current.dpopJkt ? 'DPoP' : 'Bearer',
        expires_in: exp - Math.floor(now.getTime() / 1000),
        authorization_details: grant.authorizationDetails,
      };
      const at = now.toISOString();
      if (delivery) {
        return {
          ...current,
          delivery: { ...delivery, redeliveredAt: [...(delivery.redeliveredAt ?? []), at] },
        };
      }
      return {
        ...current,
        delivery: { jti: grant.jti, at, exp },
        events: [
          ...current.events,
          { type: 'token_delivered', at, actor: `agent:${agent}`, detail: { jti: grant.jti, exp } },
        ],
      };
    });
  } catch (error) {
    if (error instanceof StepUpError && error.code === 'not_found') throw unknown();
    throw error;
  }
  if (!response) throw new Error('token delivery finished without a token');
  return response;
}
