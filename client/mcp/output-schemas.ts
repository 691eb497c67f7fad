import * as z from 'zod';

/**
 * How a request for approval stands or ended, as the tools report it in `status`. Every refusal has its
 * own kind, because each asks the model to do something different (the `instructions` say what):
 *
 * - `denied`: a human approver decided against it (or revoked the grant): stop, tell the user the reason.
 * - `forbidden_by_policy`: no human was involved, a policy forbids the action: do not rephrase the request
 *   to get around it; tell the user which policy.
 * - `invalid_request`: stepup refused the request as malformed (e.g. an action the policy schema does not
 *   declare): fix the named field and ask once more. Nobody decided anything.
 * - `expired`: nobody decided in time, or the approved token was not collected in time.
 * - `cancelled`: the request was withdrawn (by this agent or an operator).
 * - `failed`: stepup could not complete the approval; a fault, not a decision.
 * - `unauthenticated`: stepup refused this agent's workload token (e.g. it expired).
 * - `error`: anything else went wrong (the result is then also marked `isError`).
 */
const NOT_GRANTED_STATUSES = [
  'pending',
  'denied',
  'forbidden_by_policy',
  'invalid_request',
  'expired',
  'cancelled',
  'failed',
  'unauthenticated',
  'error',
] as const;

/** How an elevation stands: approved (the token is in the answer), or one of the kinds above. */
export const ELEVATION_STATUSES = ['approved', ...NOT_GRANTED_STATUSES] as const;

/** The refusal kinds and other non-token endings that every tool may report. */
export type ElevationStatus = (typeof ELEVATION_STATUSES)[number];

const authorizationDetail = z.object({
  type: z.string(),
  actions: z.array(z.string()),
  identifier: z.string(),
  locations: z.array(z.string()),
});

/** Fields every tool answer may carry when it ends without a token or credentials. */
const endingFields = {
  auth_req_id: z.string().optional().describe('The request concerned, when there is one.'),
  reason: z.string().optional().describe('Why the request ended this way, as stepup put it.'),
  policies: z.array(z.string()).optional().describe('The policies that forbade it (forbidden_by_policy).'),
  error: z.string().optional().describe('stepup’s error code (status error, invalid_request).'),
  error_description: z.string().optional(),
  binding_code: z
    .string()
    .optional()
    .describe('Show this code to your user: the approvers see the same code in Slack.'),
  approvals: z.number().int().optional().describe('Approvals so far (pending).'),
  approvals_needed: z.number().int().optional().describe('Approvals the policy requires (pending).'),
  approver_groups: z.array(z.array(z.string())).optional(),
  expires_at: z.string().optional().describe('ISO 8601: when the request (or the token) expires.'),
  instructions: z.string().describe('What to do next. Follow it.'),
};

/** The `outputSchema` of `request_elevation` and `check_elevation`. */
export const ELEVATION_OUTPUT = {
  status: z.enum(ELEVATION_STATUSES).describe('approved: the token is here; anything else: it is not.'),
  ...endingFields,
  access_token: z.string().optional().describe('The single-use token (approved, first collection only).'),
  token_type: z.enum(['Bearer', 'DPoP']).optional(),
  expires_in: z.number().int().optional().describe('Seconds the token stays valid.'),
  authorization_details: z
    .array(authorizationDetail)
    .optional()
    .describe('The one action, resource and audience the token is valid for.'),
  token_delivered: z.boolean().optional().describe('The token was handed out by an earlier call.'),
  token_used: z.boolean().optional().describe('The token was already used.'),
};

/** The `outputSchema` of `get_aws_credentials`. */
export const AWS_CREDENTIALS_OUTPUT = {
  status: z
    .enum(['issued', ...NOT_GRANTED_STATUSES])
    .describe('issued: the credentials are here; anything else: they are not.'),
  ...endingFields,
  access_key_id: z.string().optional(),
  secret_access_key: z.string().optional(),
  session_token: z.string().optional(),
  expiration: z.string().optional().describe('ISO 8601: when the credentials expire.'),
  region: z.string().optional().describe('The region of the approved resource.'),
};

const actionOption = z.object({
  action: z.string(),
  decision: z
    .enum(['auto_approve', 'step_up', 'deny'])
    .optional()
    .describe('For the resource asked about: approved at once, needs human approval, or forbidden.'),
  policies: z.array(z.string()).optional(),
  approver_groups: z
    .array(z.array(z.string()))
    .optional()
    .describe('step_up: an approver must be in one group of every set.'),
  quorum: z.number().int().optional().describe('step_up: distinct approvals needed.'),
  approval_timeout_seconds: z.number().int().optional(),
  escalate_to: z.string().nullable().optional(),
  max_token_ttl_seconds: z.number().int().optional(),
  reason: z.string().optional().describe('deny: why.'),
  error: z.string().optional().describe('This action cannot be asked for on this resource.'),
  error_description: z.string().optional(),
});

/** The `outputSchema` of `list_elevation_options`. */
export const ELEVATION_OPTIONS_OUTPUT = {
  status: z
    .enum(['listed', 'invalid_request', 'unauthenticated', 'error'])
    .describe('listed: the options are here; anything else: they are not.'),
  agent: z.string().optional().describe('This agent (the decisions are for it).'),
  resource: z.string().optional(),
  audience: z.string().optional(),
  actions: z
    .array(actionOption)
    .optional()
    .describe('Every action stepup knows; with a resource, what each would need.'),
  audiences: z
    .array(
      z.object({
        audience: z.string(),
        kind: z.enum(['aws']),
        actions: z.array(z.string()).optional(),
      }),
    )
    .optional()
    .describe('Audiences (resource servers) the stepup config knows.'),
  error: z.string().optional(),
  error_description: z.string().optional(),
  reason: z.string().optional(),
  instructions: z.string().describe('What to do next. Follow it.'),
};
