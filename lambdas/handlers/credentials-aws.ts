import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { bodyOf, json } from '../adapters/api-gateway/http-event';
import { kmsSigner } from '../adapters/aws/signing-clients';
import { stsSessionIssuer } from '../adapters/aws/sts-clients';
import { tableStore } from '../adapters/aws/table-clients';
import { envAdmission } from '../adapters/env-admission';
import { envConfig } from '../adapters/env-config';
import { ENV, requireEnv } from '../adapters/env';
import { Es256TokenVerifier } from '../adapters/es256-token-verifier';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { requestLogger } from '../adapters/logger';
import { parseAwsCredentialsRequest } from '../api/schemas/token-exchange-request';
import type { AgentAdmission } from '../domain/agents/agent-admission';
import {
  exchangeAwsCredentials,
  type ExchangeAwsCredentialsDeps,
} from '../domain/tokens/exchange-aws-credentials';
import { systemClock } from '../ports/clock';

/** `POST /v1/credentials/aws` (RFC 8693): the caller's stepup token, once, for AWS credentials. */
export function credentialsAwsHandler(
  deps: ExchangeAwsCredentialsDeps & { readonly admission: AgentAdmission },
) {
  return authenticatedRoute(deps.admission, async (event, agent) => {
    const answer = await exchangeAwsCredentials(deps, agent, parseAwsCredentialsRequest(bodyOf(event, true)));
    // The access key id is what CloudTrail records; the secret and the session token are never logged.
    requestLogger(undefined).info('aws credentials issued', { agent, access_key_id: answer.access_key_id });
    return json(200, answer);
  });
}

export const handler = lazyHandler(() => {
  const config = envConfig();
  return credentialsAwsHandler({
    store: tableStore(),
    verifier: new Es256TokenVerifier(kmsSigner(), requireEnv(ENV.tokenIssuer)),
    clock: systemClock,
    sessions: stsSessionIssuer(),
    targets: config.awsTargets,
    defaultRegion: process.env.AWS_REGION ?? '',
    admission: envAdmission(config),
  });
});
