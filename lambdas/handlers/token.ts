import { bodyOf, callerOf, json } from '../adapters/api-gateway/http-event';
import { httpRoute } from '../adapters/api-gateway/http-route';
import { kmsSigner } from '../adapters/aws/signing-clients';
import { tableStore } from '../adapters/aws/table-clients';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { requireEnv } from '../adapters/env';
import { requestLogger } from '../adapters/logger';
import { deliverToken, parseTokenRequest, type DeliverTokenDeps } from '../domain/deliver-token';
import { systemClock } from '../ports/clock';

/** `POST /v1/token`: the CIBA poll; on approval, the single-use token, exactly once. */
export function tokenHandler(deps: DeliverTokenDeps) {
  return httpRoute(async (event) => {
    const agent = callerOf(event);
    const requestId = parseTokenRequest(bodyOf(event, true));
    const token = await deliverToken(deps, agent, requestId);
    requestLogger(requestId).info('token delivered', { agent });
    return json(200, token);
  });
}

export const handler = lazyHandler(() =>
  tokenHandler({
    store: tableStore(),
    signer: kmsSigner(),
    clock: systemClock,
    issuer: requireEnv('TOKEN_ISSUER'),
  }),
);
