import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { bodyOf, json } from '../adapters/api-gateway/http-event';
import { kmsSigner } from '../adapters/aws/signing-clients';
import { tableRequestChanges, tableStore } from '../adapters/aws/table-clients';
import { envAdmission } from '../adapters/env-admission';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import type { AgentAdmission } from '../domain/agent-admission';
import { ENV, requireEnv } from '../adapters/env';
import { requestLogger } from '../adapters/logger';
import { parseTokenRequest } from '../api/schemas/token-request';
import { deliverToken, type DeliverTokenDeps } from '../domain/deliver-token';
import { systemClock } from '../ports/clock';

/**
 * `POST /v1/token`: the CIBA poll; on approval, the single-use token, exactly once. With `wait`, a
 * long-poll: held until the decision or `wait` seconds (the function's timeout exceeds the cap).
 */
export function tokenHandler(deps: DeliverTokenDeps & { readonly admission: AgentAdmission }) {
  return authenticatedRoute(deps.admission, async (event, agent) => {
    const { requestId, waitSeconds } = parseTokenRequest(bodyOf(event, true));
    const token = await deliverToken(deps, agent, requestId, waitSeconds);
    requestLogger(requestId).info('token delivered', { agent });
    return json(200, token);
  });
}

export const handler = lazyHandler(() =>
  tokenHandler({
    store: tableStore(),
    changes: tableRequestChanges(),
    signer: kmsSigner(),
    clock: systemClock,
    issuer: requireEnv(ENV.tokenIssuer),
    admission: envAdmission(),
  }),
);
