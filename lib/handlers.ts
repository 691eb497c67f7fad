/**
 * Every Lambda function of stepup, by the name used in {@link StepUpApproval.functions}, mapped to
 * its handler file under `lambdas/handlers/` (each exports `handler`).
 */
export const HANDLER_FILES = {
  health: 'health',
  createRequest: 'create-request',
  getRequest: 'get-request',
  cancelRequest: 'cancel-request',
  revoke: 'revoke',
  metadata: 'metadata',
  openapi: 'openapi',
  token: 'token',
  introspect: 'introspect',
  jwks: 'jwks',
  slackEvents: 'slack-events',
  awaitApproval: 'await-approval',
  expireRequest: 'expire-request',
  issueGrant: 'issue-grant',
  failRequest: 'fail-request',
  notifyOutcome: 'notify-outcome',
  reconcile: 'reconcile',
} as const;

/** Name of one stepup Lambda function. */
export type StepUpFunctionName = keyof typeof HANDLER_FILES;
