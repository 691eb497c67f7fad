import type { Clock } from '../ports/clock';
import type { RequestStore } from '../ports/request-store';
import type { TokenVerifier } from '../ports/token-signer';

/** RFC 7662 response. Inactive is exactly `{"active": false}`: no hint why. */
export type IntrospectionResponse =
  { readonly active: false } | ({ readonly active: true } & Record<string, unknown>);

const INACTIVE: IntrospectionResponse = { active: false };

/**
 * Answers "is this token valid for me, and unused?" atomically: the signature, audience and expiry
 * are checked, then the first caller consumes the token in one conditional write. Every later call,
 * and any token for another audience, gets `{"active": false}`.
 * @param caller the authenticated resource server (its workload `sub` must be the token's `aud`)
 */
export async function introspectToken(
  deps: { readonly store: RequestStore; readonly verifier: TokenVerifier; readonly clock: Clock },
  caller: string,
  token: string,
): Promise<IntrospectionResponse> {
  const claims = await deps.verifier.verify(token);
  if (!claims || claims.aud !== caller || typeof claims.jti !== 'string') return INACTIVE;
  const approval = claims.approval as { request_id?: unknown } | undefined;
  if (typeof approval?.request_id !== 'string') return INACTIVE;
  const now = deps.clock.now();
  const consumed = await deps.store.consumeToken(
    approval.request_id,
    claims.jti,
    Math.floor(now.getTime() / 1000),
    {
      type: 'token_consumed',
      at: now.toISOString(),
      actor: `resource-server:${caller}`,
      detail: { jti: claims.jti },
    },
  );
  if (!consumed) return INACTIVE;
  // RFC 9449 §6.2: a key-bound token introspects as a DPoP token.
  const bound = typeof (claims.cnf as { jkt?: unknown } | undefined)?.jkt === 'string';
  return { ...claims, active: true, token_type: bound ? 'DPoP' : 'Bearer' };
}
