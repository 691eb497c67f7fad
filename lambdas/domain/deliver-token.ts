import type { Clock } from '../ports/clock';
import type { RequestStore } from '../ports/request-store';
import type { TokenSigner } from '../ports/token-signer';
import {
  approvers,
  policyLabel,
  type ApprovalRequest,
  type AuthorizationDetail,
  type Grant,
} from './approval-request';
import { StepUpError } from './errors';
import { updateRequest } from './update-request';
import { rejectUnknownFields, requireObject, requireString } from './validation';

/** The CIBA grant type `/v1/token` accepts. */
export const CIBA_GRANT_TYPE = 'urn:openid:params:grant-type:ciba';

/** The access token response (RFC 6749 §5.1 with RFC 9396 details). */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly authorization_details: readonly AuthorizationDetail[];
}

/**
 * Validates a token-endpoint body (JSON or form fields).
 * @returns the auth_req_id to redeem
 */
export function parseTokenRequest(raw: unknown): string {
  const body = requireObject(raw, 'request body');
  rejectUnknownFields(body, ['grant_type', 'auth_req_id']);
  if (body.grant_type !== CIBA_GRANT_TYPE) {
    throw new StepUpError('unsupported_grant_type', `grant_type must be ${CIBA_GRANT_TYPE}`);
  }
  return requireString(body, 'auth_req_id', {
    max: 64,
    pattern: /^[A-Za-z0-9._-]+$/,
    hint: 'an auth_req_id',
  });
}

/** Ports token delivery needs. */
export interface DeliverTokenDeps {
  readonly store: RequestStore;
  readonly signer: TokenSigner;
  readonly clock: Clock;
  /** `iss` of every token. */
  readonly issuer: string;
}

function pollAnswer(request: ApprovalRequest, now: Date): Grant {
  switch (request.status) {
    case 'PENDING':
      // Expiry is checked here too: an answer never depends on the workflow having run on time.
      if (now.getTime() >= Date.parse(request.expiresAt)) {
        throw new StepUpError('expired_token', 'the approval request expired before anyone approved it');
      }
      throw new StepUpError('authorization_pending', 'the approvers have not decided yet');
    case 'DENIED':
      throw new StepUpError(
        'access_denied',
        request.denialReason ? `denied by an approver: ${request.denialReason}` : 'denied by an approver',
      );
    case 'EXPIRED':
      throw new StepUpError('expired_token', 'the approval request expired before anyone approved it');
    case 'CANCELLED':
      throw new StepUpError('access_denied', 'the request was cancelled');
    case 'APPROVED':
      if (!request.grant)
        throw new StepUpError('authorization_pending', 'approved; the grant is being issued');
      if (request.delivery)
        throw new StepUpError('invalid_grant', 'the token for this request was already delivered');
      return request.grant;
  }
}

/**
 * The CIBA poll. On approval it signs the token and records its delivery in one conditional write;
 * a second poll, or a concurrent one that lost the race, gets `invalid_grant`. Only the requesting
 * agent may redeem; anyone else is told the id is unknown.
 */
export async function deliverToken(
  deps: DeliverTokenDeps,
  agent: string,
  requestId: string,
): Promise<TokenResponse> {
  let response: TokenResponse | undefined;
  try {
    await updateRequest(deps.store, requestId, async (current) => {
      if (current.agent !== agent) throw new StepUpError('invalid_grant', 'unknown auth_req_id');
      const now = deps.clock.now();
      const grant = pollAnswer(current, now);
      if (now.getTime() > Date.parse(grant.pickupBy)) {
        throw new StepUpError('expired_token', 'the approved token was not collected in time');
      }
      const iat = Math.floor(now.getTime() / 1000);
      const exp = iat + grant.ttlSeconds;
      const accessToken = await deps.signer.sign({
        iss: deps.issuer,
        aud: current.audience,
        sub: current.agent,
        client_id: current.agent,
        iat,
        nbf: iat,
        exp,
        jti: grant.jti,
        authorization_details: grant.authorizationDetails,
        approval: {
          request_id: current.id,
          approvers: approvers(current),
          policy: policyLabel(current.requirements),
          decided_at: current.decidedAt,
        },
      });
      response = {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: grant.ttlSeconds,
        authorization_details: grant.authorizationDetails,
      };
      const at = now.toISOString();
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
    if (error instanceof StepUpError && error.code === 'not_found') {
      throw new StepUpError('invalid_grant', 'unknown auth_req_id');
    }
    throw error;
  }
  if (!response) throw new Error('token delivery finished without a token');
  return response;
}
