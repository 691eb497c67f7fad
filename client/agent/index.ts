/**
 * The agent side of stepup: ask for one high-risk action, wait while humans approve it in Slack,
 * and receive a single-use token scoped to exactly that action, resource and audience.
 * Start with {@link StepUpClient}.
 */
export {
  ACCESS_TOKEN_TYPE,
  AWS_CREDENTIALS_TOKEN_TYPE,
  CIBA_GRANT_TYPE,
  TOKEN_EXCHANGE_GRANT_TYPE,
} from '../../lambdas/contract';
export type { AwsCredentials } from './aws-credentials';
export type { ActionOption, AudienceOption, ElevationOptions } from './elevation-options';
export { abortableSleep, StepUpClient, type StepUpClientOptions } from './client';
export {
  CancelledError,
  DeniedError,
  ExpiredError,
  FailedError,
  InvalidRequestError,
  isStepUpApiError,
  StepUpApiError,
  UnauthenticatedError,
  type StepUpErrorCode,
} from './errors';
export { promptDigest, type ElevationTrace, type TrailLink } from './trace';
export type {
  AuditEvent,
  AuthorizationDetail,
  ElevationHandle,
  ElevationRequest,
  GrantedToken,
  RequestState,
  RequestStatus,
  Requirements,
  WaitOptions,
  WaitProgress,
} from './types';
