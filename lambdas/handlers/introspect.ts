import { bodyOf, callerOf, json } from '../adapters/api-gateway/http-event';
import { httpRoute } from '../adapters/api-gateway/http-route';
import { kmsSigner } from '../adapters/aws/signing-clients';
import { tableStore } from '../adapters/aws/table-clients';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { requireEnv } from '../adapters/env';
import { Es256TokenVerifier } from '../adapters/es256-token-verifier';
import { introspectToken, parseIntrospectionRequest } from '../domain/introspect-token';
import { systemClock, type Clock } from '../ports/clock';
import type { RequestStore } from '../ports/request-store';
import type { TokenVerifier } from '../ports/token-signer';

/** Ports introspection needs. */
export interface IntrospectDeps {
  readonly store: RequestStore;
  readonly verifier: TokenVerifier;
  readonly clock: Clock;
}

/** `POST /v1/introspect` (RFC 7662): the token's audience asks; the first answer consumes it. */
export function introspectHandler(deps: IntrospectDeps) {
  return httpRoute(async (event) => {
    const caller = callerOf(event);
    const token = parseIntrospectionRequest(bodyOf(event, true));
    return json(200, await introspectToken(deps, caller, token));
  });
}

export const handler = lazyHandler(() =>
  introspectHandler({
    store: tableStore(),
    verifier: new Es256TokenVerifier(kmsSigner(), requireEnv('TOKEN_ISSUER')),
    clock: systemClock,
  }),
);
