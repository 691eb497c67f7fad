import { AWS_CREDENTIALS_TOKEN_TYPE } from '../../contract';
import type { AwsSessionIssuer } from '../../ports/aws-sessions';
import type { Clock } from '../../ports/clock';
import type { RequestStore } from '../../ports/request-store';
import type { TokenVerifier } from '../../ports/token-signer';
import type { ApprovalRequest, AuditEvent } from '../requests/approval-request';
import {
  awsActionOn,
  sessionPolicy,
  sourceIdentityOf,
  STS_MIN_DURATION_SECONDS,
  tagValue,
  type AwsTarget,
} from './aws-target';
import { StepUpError } from '../errors';
import { updateRequest } from '../requests/update-request';

/** The exchange's answer: RFC 8693's fields, plus the credentials as the AWS SDKs name them. */
export interface AwsCredentialsResponse {
  readonly issued_token_type: typeof AWS_CREDENTIALS_TOKEN_TYPE;
  /** RFC 8693 §2.2.1: not an OAuth access token. */
  readonly token_type: 'N_A';
  /** The session token again, where RFC 8693 clients look for the issued token. */
  readonly access_token: string;
  readonly expires_in: number;
  readonly access_key_id: string;
  readonly secret_access_key: string;
  readonly session_token: string;
  /** ISO 8601. */
  readonly expiration: string;
  readonly region: string;
}

/** Ports the exchange needs. */
export interface ExchangeAwsCredentialsDeps {
  readonly store: RequestStore;
  readonly verifier: TokenVerifier;
  readonly clock: Clock;
  readonly sessions: AwsSessionIssuer;
  /** Audience → the AWS target it stands for. */
  readonly targets: Readonly<Record<string, AwsTarget>>;
  /** The answer's region for a global resource (the deployment's own region). */
  readonly defaultRegion: string;
}

const EXCHANGE = 'aws-credentials';
/**
 * A consumed token whose exchange recorded neither success nor failure may be exchanged again after
 * this long: the first attempt then crashed (STS calls time out well within it). Sooner, it is a
 * concurrent duplicate, refused without asking STS.
 */
const RESUME_AFTER_MS = 30_000;

function unusable(): never {
  // RFC 8693 §2.2.2: an unacceptable subject_token is invalid_request. One answer for every reason
  // (used, expired, revoked, someone else's) so the error teaches a prober nothing.
  throw new StepUpError('invalid_request', 'subject_token is not a valid, unused stepup token issued to you');
}

/**
 * Exchanges a stepup token, once, for AWS credentials that can make exactly the approved call.
 *
 * Consuming the token is the same one conditional write as introspection, so an exchange after an
 * introspection (or the other way round) is refused. The credentials are handed out only after their
 * issue is recorded in a second conditional write: of concurrent exchanges, exactly one answers. A
 * retry after a failed or interrupted STS call (token consumed by the exchange, nothing recorded yet)
 * resumes instead of losing the approval.
 * @param caller the authenticated agent; it must be the token's `client_id`
 * @throws StepUpError `invalid_request` (token unusable), `invalid_target` (audience not an AWS target)
 */
export async function exchangeAwsCredentials(
  deps: ExchangeAwsCredentialsDeps,
  caller: string,
  subjectToken: string,
): Promise<AwsCredentialsResponse> {
  const claims = await deps.verifier.verify(subjectToken);
  if (!claims || claims.client_id !== caller || typeof claims.jti !== 'string') unusable();
  const audience = String(claims.aud);
  const target = Object.hasOwn(deps.targets, audience) ? deps.targets[audience] : undefined;
  if (!target) {
    throw new StepUpError('invalid_target', 'the token is for an audience that is not an AWS target');
  }
  const requestId = (claims.approval as { request_id?: unknown } | undefined)?.request_id;
  const detail = (
    claims.authorization_details as { actions?: unknown; identifier?: unknown }[] | undefined
  )?.[0];
  const [action] = Array.isArray(detail?.actions) ? detail.actions : [];
  if (typeof requestId !== 'string' || typeof action !== 'string' || typeof detail?.identifier !== 'string') {
    unusable();
  }
  // Checked again here: the config may have changed since the request was approved.
  const approved = awsActionOn(audience, target, action, detail.identifier);

  const now = deps.clock.now();
  const consumed = await deps.store.consumeToken(requestId, claims.jti, Math.floor(now.getTime() / 1000), {
    type: 'token_consumed',
    at: now.toISOString(),
    actor: `agent:${caller}`,
    detail: { jti: claims.jti, exchange: EXCHANGE },
  });
  if (!consumed && !(await resumable(deps, requestId, claims.jti, caller))) unusable();

  // The approval's own lifetime bounds the credentials' use, whatever STS's minimum duration.
  const ttlSeconds = Number(claims.exp) - Number(claims.iat);
  const notAfter = new Date(now.getTime() + Math.min(ttlSeconds, STS_MIN_DURATION_SECONDS) * 1000);
  const approval = claims.approval as { approvers?: unknown; policy?: unknown };
  const session = await deps.sessions
    .assumeRole({
      roleArn: target.roleArn,
      roleSessionName: requestId,
      sourceIdentity: sourceIdentityOf(caller),
      policy: sessionPolicy(approved, notAfter),
      durationSeconds: STS_MIN_DURATION_SECONDS,
      tags: {
        'stepup-request': tagValue(requestId),
        'stepup-agent': tagValue(caller),
        'stepup-policy': tagValue(String(approval.policy ?? '')),
        'stepup-approvers': tagValue(Array.isArray(approval.approvers) ? approval.approvers.join(' ') : ''),
      },
    })
    .catch((error: unknown) => stsFailed(deps, requestId, caller, error));

  const issued: AuditEvent = {
    type: 'credentials_issued',
    at: deps.clock.now().toISOString(),
    actor: `agent:${caller}`,
    // The access key id is not a secret: it is what CloudTrail records, so it ties each call to this request.
    detail: {
      role_arn: target.roleArn,
      access_key_id: session.accessKeyId,
      expiration: session.expiration.toISOString(),
      not_after: notAfter.toISOString(),
    },
  };
  await updateRequest(deps.store, requestId, (current) => {
    if (current.events.some((event) => event.type === 'credentials_issued')) unusable();
    return { ...current, events: [...current.events, issued] };
  });
  return {
    issued_token_type: AWS_CREDENTIALS_TOKEN_TYPE,
    token_type: 'N_A',
    access_token: session.sessionToken,
    expires_in: Math.max(0, Math.floor((session.expiration.getTime() - deps.clock.now().getTime()) / 1000)),
    access_key_id: session.accessKeyId,
    secret_access_key: session.secretAccessKey,
    session_token: session.sessionToken,
    expiration: session.expiration.toISOString(),
    region: approved.region || deps.defaultRegion,
  };
}

/**
 * Records that STS did not issue the session (so a retry may resume at once) and answers
 * `temporarily_unavailable`; the cause stays in the logs, not in the agent's answer.
 */
async function stsFailed(
  deps: ExchangeAwsCredentialsDeps,
  requestId: string,
  caller: string,
  cause: unknown,
): Promise<never> {
  const failed: AuditEvent = {
    type: 'credentials_failed',
    at: deps.clock.now().toISOString(),
    actor: `agent:${caller}`,
  };
  await updateRequest(deps.store, requestId, (current) => ({
    ...current,
    events: [...current.events, failed],
  }));
  throw new StepUpError(
    'temporarily_unavailable',
    'AWS STS did not issue the credentials; exchange the same token again',
    {},
    { retryAfterSeconds: 2, cause },
  );
}

/**
 * True when this agent's earlier exchange consumed the token but no credentials were recorded, and
 * that exchange failed (or crashed: older than {@link RESUME_AFTER_MS}).
 */
async function resumable(
  deps: ExchangeAwsCredentialsDeps,
  requestId: string,
  jti: string,
  caller: string,
): Promise<boolean> {
  const { store, clock } = deps;
  const request: ApprovalRequest | undefined = await store.get(requestId);
  if (!request) return false;
  const consumption = request.consumption;
  return (
    consumption?.detail?.exchange === EXCHANGE &&
    consumption.detail.jti === jti &&
    consumption.actor === `agent:${caller}` &&
    !request.revokedAt &&
    !request.events.some((event) => event.type === 'credentials_issued') &&
    (request.events.some((event) => event.type === 'credentials_failed') ||
      clock.now().getTime() - Date.parse(consumption.at) >= RESUME_AFTER_MS)
  );
}
