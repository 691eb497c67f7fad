import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { REFUSED_BEARER_KEY, renderedClaims } from '../adapters/api-gateway/authorizer-claims';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { envConfig } from '../adapters/env-config';
import { logger } from '../adapters/logger';
import { WorkloadTokenVerifier } from '../adapters/workload-token-verifier';
import { StepUpError } from '../domain/errors';

/** A simple response of an HTTP API Lambda authorizer: passed on, with the claims or the refusal for the route. */
export interface WorkloadAuthorization {
  readonly isAuthorized: true;
  readonly context: Record<string, string>;
}

/**
 * The HTTP API's Lambda authorizer (every `workload` route): verifies the bearer JWT against the
 * issuer its `iss` names among the config's `auth.issuers`, each with its own audiences, and hands
 * the claims to the route as `requestContext.authorizer.lambda`. A refused bearer is handed on too,
 * as the reason alone (`REFUSED_BEARER_KEY`, no claims): the route's `claimsOf` then answers
 * `401 invalid_token` with that reason in `error_description` and `WWW-Authenticate` (expired and
 * when, another issuer, another audience), which an authorizer's own refusal (a bare
 * `401 {"message":"Unauthorized"}`) cannot say. It is logged here, never the token. Without any
 * `Authorization` header API Gateway answers 401 itself, before this runs. Admission (config
 * `agents.admit`) stays with the route (`authenticatedRoute`): `403 unknown_agent`.
 */
export function workloadAuthorizerHandler(verifier: Pick<WorkloadTokenVerifier, 'verify'>) {
  return async (event: APIGatewayRequestAuthorizerEventV2): Promise<WorkloadAuthorization> => {
    const authorization = event.headers?.authorization ?? event.headers?.Authorization ?? '';
    const token = /^Bearer ([^\s]+)$/i.exec(authorization)?.[1];
    try {
      if (!token) throw new StepUpError('invalid_token', 'the request has no bearer token');
      return { isAuthorized: true, context: renderedClaims(await verifier.verify(token)) };
    } catch (error) {
      if (!(error instanceof StepUpError && error.code === 'invalid_token')) throw error;
      logger.info('workload token refused', { reason: error.message, route: event.routeKey });
      return { isAuthorized: true, context: { [REFUSED_BEARER_KEY]: error.message } };
    }
  };
}

export const handler = lazyHandler(() =>
  workloadAuthorizerHandler(new WorkloadTokenVerifier(envConfig().auth.issuers)),
);
