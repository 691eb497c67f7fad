import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { bodyOf, json } from '../adapters/api-gateway/http-event';
import { kmsSigner } from '../adapters/aws/signing-clients';
import { tableStore } from '../adapters/aws/table-clients';
import { envAdmission } from '../adapters/env-admission';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import type { AgentAdmission } from '../domain/agents/agent-admission';
import { ENV, requireEnv } from '../adapters/env';
import { Es256TokenVerifier } from '../adapters/es256-token-verifier';
import { parseIntrospectionRequest } from '../api/schemas/introspection-request';
import { introspectToken } from '../domain/tokens/introspect-token';
import { systemClock, type Clock } from '../ports/clock';
import type { RequestStore } from '../ports/request-store';
import type { TokenVerifier } from '../ports/token-signer';

/** Ports introspection needs. */
export interface IntrospectDeps {
  readonly store: RequestStore;
  readonly verifier: TokenVerifier;
  readonly clock: Clock;
  /** Resource servers are admitted through the same rules as agents. */
  readonly admission: AgentAdmission;
}

/** `POST /v1/introspect` (RFC 7662): the token's audience asks; the first answer consumes it. */
export function introspectHandler(deps: IntrospectDeps) {
  return authenticatedRoute(deps.admission, async (event, caller) => {
    const { token, parametersSha256, operation } = parseIntrospectionRequest(bodyOf(event, true));
    return json(200, await introspectToken(deps, caller, token, parametersSha256, operation));
  });
}

export const handler = lazyHandler(() =>
  introspectHandler({
    store: tableStore(),
    verifier: new Es256TokenVerifier(kmsSigner(), requireEnv(ENV.tokenIssuer)),
    clock: systemClock,
    admission: envAdmission(),
  }),
);
