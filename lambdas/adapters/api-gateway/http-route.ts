import { logger } from '../logger';
import { errorResult, type HttpEvent, type HttpResult } from './http-event';

/**
 * Wraps a route so every failure becomes `{error, error_description}`: 4xx for the caller's
 * mistakes, an opaque 500 (logged with the request id, never returned) for ours.
 */
export function httpRoute(
  route: (event: HttpEvent) => Promise<HttpResult>,
): (event: HttpEvent) => Promise<HttpResult> {
  return async (event) => {
    try {
      return await route(event);
    } catch (error) {
      return errorResult(error, (e) =>
        logger.error('request failed', {
          error: e as Error,
          route: event.routeKey,
          request_id: event.pathParameters?.id,
          api_request_id: event.requestContext?.requestId,
        }),
      );
    }
  };
}
