import { Logger } from '@aws-lambda-powertools/logger';

/** The service's structured JSON logger (Powertools); one per container. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'stepup' });

/** A logger whose every line carries `request_id` (the auth_req_id), for one invocation. */
export function requestLogger(requestId: string | undefined): Logger {
  return requestId ? logger.createChild({ persistentKeys: { request_id: requestId } }) : logger;
}
