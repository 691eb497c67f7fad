import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { renderedClaims } from '../adapters/api-gateway/authorizer-claims';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { envConfig } from '../adapters/env-config';
import { logger } from '../adapters/logger';
import { WorkloadTokenVerifier } from '../adapters/workload-token-verifier';
import { StepUpError } from '../domain/errors';

/** A simple response of an HTTP API Lambda authorizer: allowed, with the claims for the route. */
export interface WorkloadAuthorization {
  readonly isAuthorized: true;
  readonly context: Record<string, string>;
}

/**
 * The HTTP API's Lambda authorizer (every `workload` route): verifies the bearer JWT against the
 * issuer its `iss` names among the config's `auth.issuers`, each with its own audiences, and hands
 * the claims to the route as `requestContext.authorizer.lambda`. A refused bearer is answered by
 * throwing `Unauthorized`, which API Gateway turns into `401 {"message":"Unauthorized"}`, as its JWT
 * authorizer answers; the reason is logged, never the token. Admission (config `agents.admit`)
 * stays with the route (`authenticatedRoute`), which answers `403 unknown_agent` in the API's own
 * error shape.
 */
export function workloadAuthorizerHandler(verifier: Pick<WorkloadTokenVerifier, 'verify'>) {
  return async (event: APIGatewayRequestAuthorizerEventV2): Promise<WorkloadAuthorization> => {
    const authorization = event.headers?.authorization ?? event.headers?.Authorization ?? '';
    const token = /^Bearer ([^\s]+)$/i.exec(authorization)?.[1];
    try {
      if (!token) throw new StepUpError('invalid_token', 'the request has no bearer token');
      return { isAuthorized: true, context: renderedClaims(await verifier.verify(token)) };
    } catch (error) {
      if (error instanceof StepUpError && error.code === 'invalid_token') {
        logger.info('workload token refused', { reason: error.message, route: event.routeKey });
        throw new Error('Unauthorized');
      }
      throw error;
    }
  };
}

export const handler = lazyHandler(() =>
  workloadAuthorizerHandler(new WorkloadTokenVerifier(envConfig().auth.issuers)),
);
