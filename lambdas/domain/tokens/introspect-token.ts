import type { Clock } from '../../ports/clock';
import type { RequestStore } from '../../ports/request-store';
import type { TokenVerifier } from '../../ports/token-signer';
import type { AuthorizationDetail } from '../requests/approval-request';
import { presentMembers, type ResourceOperation } from '../requests/trace';
import { updateRequest } from '../requests/update-request';

/** RFC 7662 response. Inactive is exactly `{"active": false}`: no hint why. */
export type IntrospectionResponse =
  { readonly active: false } | ({ readonly active: true } & Record<string, unknown>);

const INACTIVE: IntrospectionResponse = { active: false };

/**
 * How many `parameters_mismatch` events one request keeps: enough to see an attempt and its
 * retries, few enough that the item stays bounded. Later mismatches are refused all the same.
 */
export const MAX_PARAMETERS_MISMATCH_EVENTS = 3;

/** Ports introspection needs. */
export interface IntrospectDeps {
  readonly store: RequestStore;
  readonly verifier: TokenVerifier;
  readonly clock: Clock;
}

/** The `parameters_sha256` the token binds for `caller`, if any. */
function boundDigest(claims: Record<string, unknown>, caller: string): string | undefined {
  const details = Array.isArray(claims.authorization_details)
    ? (claims.authorization_details as Partial<AuthorizationDetail>[])
    : [];
  return details.find((detail) => detail.locations?.includes(caller))?.parameters_sha256;
}

/**
 * Records that `caller` presented the token with other arguments than the approved ones, in one
 * conditional write that consumes nothing: only while the token is delivered, unused and unrevoked,
 * and at most {@link MAX_PARAMETERS_MISMATCH_EVENTS} times.
 */
async function recordParametersMismatch(
  deps: IntrospectDeps,
  requestId: string,
  jti: string,
  caller: string,
  presented: string,
  bound: string | undefined,
): Promise<void> {
  const at = deps.clock.now().toISOString();
  await updateRequest(deps.store, requestId, (current) => {
    const usable =
      current.status === 'APPROVED' &&
      current.delivery?.jti === jti &&
      current.consumedAt === undefined &&
      current.revokedAt === undefined;
    const recorded = current.events.filter((event) => event.type === 'parameters_mismatch').length;
    if (!usable || recorded >= MAX_PARAMETERS_MISMATCH_EVENTS) return undefined;
    return {
      ...current,
      events: [
        ...current.events,
        {
          type: 'parameters_mismatch',
          at,
          actor: `resource-server:${caller}`,
          detail: {
            jti,
            presented_parameters_sha256: presented,
            approved_parameters_sha256: bound ?? 'none',
          },
        },
      ],
    };
  });
}

/**
 * Answers "is this token valid for me, and unused?" atomically: the signature, audience and expiry
 * are checked, then the first caller consumes the token in one conditional write. Every later call,
 * and any token for another audience, gets `{"active": false}`. With `parametersSha256` (the digest
 * of the arguments the resource server received), a token bound to other arguments (or to none) is
 * not consumed: the attempt is recorded as `parameters_mismatch` and the answer is inactive.
 * `operation` (what the resource server is about to do) is recorded in the consumption's audit
 * event: the trail's "use" link.
 * @param caller the authenticated resource server (its workload `sub` must be the token's `aud`)
 */
export async function introspectToken(
  deps: IntrospectDeps,
  caller: string,
  token: string,
  parametersSha256?: string,
  operation?: ResourceOperation,
): Promise<IntrospectionResponse> {
  const claims = await deps.verifier.verify(token);
  if (!claims || claims.aud !== caller || typeof claims.jti !== 'string') return INACTIVE;
  const approval = claims.approval as { request_id?: unknown } | undefined;
  if (typeof approval?.request_id !== 'string') return INACTIVE;
  if (parametersSha256 !== undefined) {
    const bound = boundDigest(claims, caller);
    if (bound !== parametersSha256) {
      await recordParametersMismatch(deps, approval.request_id, claims.jti, caller, parametersSha256, bound);
      return INACTIVE;
    }
  }
  const now = deps.clock.now();
  const consumed = await deps.store.consumeToken(
    approval.request_id,
    claims.jti,
    Math.floor(now.getTime() / 1000),
    {
      type: 'token_consumed',
      at: now.toISOString(),
      actor: `resource-server:${caller}`,
      detail: { jti: claims.jti, ...presentMembers(operation) },
    },
  );
  if (!consumed) return INACTIVE;
  // RFC 9449 §6.2: a key-bound token introspects as a DPoP token.
  const bound = typeof (claims.cnf as { jkt?: unknown } | undefined)?.jkt === 'string';
  return { ...claims, active: true, token_type: bound ? 'DPoP' : 'Bearer' };
}
