import type { ErrorCode } from '../contract';
import { AUTHZEN_PATHS } from './authzen-metadata';
import {
  accessEvaluationBody,
  accessEvaluationResponse,
  accessEvaluationsBody,
  accessEvaluationsResponse,
} from './schemas/access-evaluation';
import { REQUEST_ID_PATTERN } from '../domain/ids';
import { agentsResponse } from './schemas/agents-response';
import { createRequestBody } from './schemas/create-request';
import { elevationOptionsParameters, elevationOptionsResponse } from './schemas/elevation-options';
import { MCP_PATH, PROTECTED_RESOURCE_METADATA_PATH } from './protected-resource-metadata';
import { introspectionRequestBody } from './schemas/introspection-request';
import { outcomeRequestBody } from './schemas/outcome-request';
import { revokeRequestBody } from './schemas/revoke-request';
import { auditEventsPage } from './schemas/audit-events';
import { auditQueryOpenApiParameters } from './schemas/audit-query';
import { passkeyConfirmationBody, passkeyRevocationBody } from './schemas/passkey-confirmation';
import { awsCredentialsRequestBody } from './schemas/token-exchange-request';
import type { Field, JsonSchema } from './schemas/schema';
import { tokenEndpointRequestBody } from './schemas/token-endpoint-request';

/*
 * Every route of the HTTP API, declared once. The CDK construct (API Gateway routes, the functions
 * behind them, cdk-nag acknowledgements), the local runtime, the OpenAPI document and the route tests
 * iterate over `ROUTES`: adding a route is an entry here plus its handler file.
 */

/**
 * Who may call a route. `workload`: behind the JWT authorizer, and the handler admits its caller
 * (config `agents.admit`). `public`: no credential at all, with the reason cdk-nag is told.
 * `slack`: no JWT (Slack cannot present one); the handler verifies Slack's request signature.
 */
export type RouteAuth =
  | { readonly kind: 'workload' }
  | { readonly kind: 'public'; readonly reason: string }
  | { readonly kind: 'slack'; readonly reason: string };

/** A success answer of a route, as the OpenAPI document shows it. */
export interface OkResponse {
  readonly description: string;
  readonly schema?: JsonSchema;
  /** The `Cache-Control` the handler sets. */
  readonly cacheControl?: string;
}

/** A request body a route parses: the schema (by its component name) and whether forms are taken. */
export interface RouteBody {
  readonly schema: { readonly name: string; readonly schema: Field<unknown> };
  /** Also `application/x-www-form-urlencoded` (the OAuth endpoints). */
  readonly form: boolean;
}

/** One route of the HTTP API: where it is, who may call it, what runs it and what it answers. */
export interface Route {
  /**
   * The route's one name: its Lambda function (`StepUpApproval.functions`), its handler file under
   * `lambdas/handlers/` (the name in kebab case) and its OpenAPI `operationId`.
   */
  readonly name: string;
  readonly method: 'GET' | 'POST';
  /** API Gateway style, e.g. `/v1/requests/{id}`. */
  readonly path: string;
  readonly auth: RouteAuth;
  /** The OpenAPI tag. */
  readonly tag: 'requests' | 'oauth' | 'discovery' | 'operations';
  readonly summary: string;
  readonly description?: string;
  /** OpenAPI parameter objects (path and header parameters). */
  readonly parameters?: readonly JsonSchema[];
  readonly body?: RouteBody;
  /** Success answers, by HTTP status. */
  readonly ok: Readonly<Record<string, OkResponse>>;
  /** The errors its handler answers besides `invalid_token` and `server_error`, and when. */
  readonly errors?: Partial<Readonly<Record<ErrorCode, string>>>;
  /** Fields some errors add to the body, by HTTP status. */
  readonly errorFields?: Readonly<Record<string, Readonly<Record<string, JsonSchema>>>>;
  /** Runs no handler code that could fail (no 500 documented). */
  readonly cannotFail?: boolean;
  /** Its errors are HTML pages for a person, not the JSON error shape (the approval page). */
  readonly errorsAsHtml?: boolean;
}

/** The OpenAPI version of the document `GET /openapi.json` serves. */
export const OPENAPI_VERSION = '3.1.0';

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const BODY_ERRORS = 'Malformed body, wrong Content-Type, body over 64 KiB, unknown or invalid field.';

const idParameter: JsonSchema = {
  name: 'id',
  in: 'path',
  required: true,
  description:
    'The auth_req_id. Another agent’s request, an unknown id and a malformed one are all 404: ' +
    'existence is not revealed.',
  schema: { type: 'string', pattern: REQUEST_ID_PATTERN.source },
};

const idempotencyKey: JsonSchema = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a create safe to retry: the same key (per agent, kept 24 h) with the same body answers ' +
    'as the first call did, without creating a second request; with another body it is a 409. ' +
    '1 to 255 visible ASCII characters.',
  schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
};

const workload = { kind: 'workload' } as const;

const linkParameter: JsonSchema = {
  name: 'link',
  in: 'path',
  required: true,
  description: 'The one-time link secret Slack gave the approver privately (256 random bits, base64url).',
  schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
};

/** The passkey approval page (issue 13): one-time links, WebAuthn ceremonies, operator revocation. */
const PASSKEY_ROUTES = [
  {
    name: 'approvalPage',
    method: 'GET',
    path: '/approval/{link}',
    auth: {
      kind: 'public',
      reason:
        'GET /approval/{link} is the passkey approval page an approver opens from a private Slack link; ' +
        'the link (256 random bits, single use, minutes long, bound to one Slack user) is the credential, ' +
        'and the vote itself needs that user\u2019s passkey.',
    },
    tag: 'operations',
    summary: 'The approval page of a one-time link: the request as stored, and the passkey ceremony',
    parameters: [linkParameter],
    ok: { '200': { description: 'The page (text/html; strict CSP).' } },
    errorsAsHtml: true,
    errors: {
      not_found: 'Unknown link (an HTML page says so).',
      invalid_grant: 'Used or expired link, or the request is no longer pending: 410 (an HTML page says so).',
    },
  },
  {
    name: 'approvalConfirm',
    method: 'POST',
    path: '/approval/{link}',
    auth: {
      kind: 'public',
      reason:
        'POST /approval/{link} is posted by the approval page; it is authenticated by the one-time link ' +
        'and by a WebAuthn assertion (or attestation on an enrolment link) verified against the link\u2019s approver.',
    },
    tag: 'operations',
    summary: 'Confirm a vote with a passkey assertion, or add or remove a passkey (enrolment links)',
    parameters: [linkParameter],
    body: { schema: passkeyConfirmationBody, form: false },
    ok: {
      '200': {
        description: 'Recorded (or registered).',
        schema: {
          type: 'object',
          required: ['outcome', 'message'],
          properties: {
            outcome: { enum: ['recorded', 'approved', 'denied', 'enrolled', 'removed'] },
            message: { type: 'string' },
          },
        },
      },
    },
    errors: {
      invalid_request: BODY_ERRORS,
      invalid_grant: 'The link is unknown, used, expired or was never opened.',
      access_denied:
        'The passkey is not the link approver\u2019s, the assertion does not verify (signature, challenge, ' +
        'origin, user verification, a counter that did not go up), or the vote is refused (not an ' +
        'approver, self-approval, already decided or voted, expired); on an enrolment link of an ' +
        'approver with passkeys, no valid assertion of one of them confirms the change.',
      conflict:
        'The passkey is already registered, or (a change confirmed by an existing passkey) that passkey ' +
        'or the one to remove is gone, or its counter did not go up.',
    },
  },
  {
    name: 'approvalAssets',
    method: 'GET',
    path: '/approval-assets/{file}',
    auth: {
      kind: 'public',
      reason:
        'GET /approval-assets/{file} serves the approval page\u2019s own script, stylesheet and the ' +
        'WebAuthn browser library, static files with no data.',
    },
    tag: 'operations',
    summary: 'The approval page’s script, stylesheet and WebAuthn library',
    parameters: [
      {
        name: 'file',
        in: 'path',
        required: true,
        schema: { enum: ['approval.js', 'approval.css', 'webauthn-browser.js'] },
      },
    ],
    ok: { '200': { description: 'The file.', cacheControl: 'public, max-age=300' } },
    errors: { not_found: 'Any other name.' },
    cannotFail: true,
  },
  {
    name: 'passkeysRevoke',
    method: 'POST',
    path: '/v1/passkeys/revoke',
    auth: workload,
    tag: 'operations',
    summary: 'Operators: remove every passkey of one approver',
    description:
      'For a lost device or someone who left. The approver’s next click on a passkey request hands them ' +
      'an enrolment link again.',
    body: { schema: passkeyRevocationBody, form: false },
    ok: {
      '200': {
        description: 'How many passkeys were removed (0 when there were none).',
        schema: { type: 'object', required: ['removed'], properties: { removed: { type: 'integer' } } },
      },
    },
    errors: { invalid_request: BODY_ERRORS, forbidden: 'The caller is not in the config’s operators.' },
  },
] as const satisfies readonly Route[];

/** Every route of the API, in the order the OpenAPI document lists them. */
export const ROUTES = [
  {
    name: 'createRequest',
    method: 'POST',
    path: '/v1/requests',
    auth: workload,
    tag: 'requests',
    summary: 'Ask to perform one high-risk action',
    description:
      'The policies decide: step-up (202, approvers are paged in Slack), auto-approve (200, the ' +
      'token is ready at /v1/token at once) or deny (403, recorded like any other request).',
    parameters: [idempotencyKey],
    body: { schema: createRequestBody, form: false },
    ok: {
      '200': {
        description: 'Auto-approved by policy: collect the token at /v1/token.',
        schema: {
          type: 'object',
          allOf: [ref('CreatedRequest')],
          properties: { status: { const: 'approved' } },
        },
      },
      '202': {
        description: 'Step-up: the approvers are paged; poll /v1/token.',
        schema: {
          type: 'object',
          allOf: [ref('CreatedRequest')],
          properties: { status: { const: 'pending' } },
        },
      },
    },
    errors: {
      invalid_request:
        `${BODY_ERRORS} Also: an action or a context signal the policy schema does not declare, a subject_token ` +
        'that does not verify or names someone else, a malformed Idempotency-Key.',
      access_denied: 'A policy forbids the action; the request is recorded as denied.',
      conflict: 'The Idempotency-Key was already used with a different body.',
      too_many_requests:
        'The agent is over a limit of config `limits` (requests per hour, or pending at once); nothing ' +
        'is created or counted. Retry-After says when to ask again.',
      temporarily_unavailable:
        'Approvers cannot be paged yet (the Slack secret still holds its deploy-time placeholder; ' +
        'nothing is created, see Retry-After), or the approval workflow could not start (the request ' +
        'is closed as expired).',
    },
    errorFields: {
      '403': {
        auth_req_id: { type: 'string', description: 'The recorded (denied) request.' },
        policies: { type: 'array', items: { type: 'string' }, description: 'The forbidding policies.' },
      },
    },
  },
  {
    name: 'getRequest',
    method: 'GET',
    path: '/v1/requests/{id}',
    auth: workload,
    tag: 'requests',
    summary: 'A request’s status, decision, approvers and audit trail (its own agent only)',
    parameters: [idParameter],
    ok: { '200': { description: 'The request.', schema: ref('RequestView') } },
    errors: { not_found: 'No such request for this agent.' },
  },
  {
    name: 'cancelRequest',
    method: 'POST',
    path: '/v1/requests/{id}/cancel',
    auth: workload,
    tag: 'requests',
    summary: 'Withdraw a pending request',
    description:
      'Stops the approval and updates the Slack message. Cancelling a cancelled request answers it ' +
      'again. No body.',
    parameters: [idParameter],
    ok: { '200': { description: 'The cancelled request.', schema: ref('RequestView') } },
    errors: {
      not_found: 'No such request for this agent.',
      conflict: 'The request was already decided (approved, denied or expired) or failed.',
    },
  },
  {
    name: 'recordOutcome',
    method: 'POST',
    path: '/v1/requests/{id}/outcome',
    auth: workload,
    tag: 'requests',
    summary: 'The resource server reports how the action its token allowed ended',
    description:
      'Called by the token’s audience (its workload sub, authenticated as for introspection) after it ' +
      'consumed the token. Recorded once, as an action_outcome audit event in the request’s chain: the ' +
      'same report again answers as the first did; a different one is a 409.',
    parameters: [
      {
        ...idParameter,
        description: 'The auth_req_id: the token’s approval.request_id. Unknown or malformed: 404.',
      },
    ],
    body: { schema: outcomeRequestBody, form: false },
    ok: { '200': { description: 'The outcome as recorded.', schema: ref('RecordedOutcome') } },
    errors: {
      invalid_request: BODY_ERRORS,
      not_found: 'No such request.',
      forbidden: 'The caller is not the request’s audience.',
      conflict: 'The token was not used yet, or a different outcome was already recorded.',
    },
  },
  {
    name: 'token',
    method: 'POST',
    path: '/v1/token',
    auth: workload,
    tag: 'oauth',
    summary: 'CIBA or deferred (DTR) poll: the single-use token once approved, exactly once',
    description:
      'Poll no faster than the interval. Only the requesting agent may redeem; anyone else is told ' +
      'the id is unknown. Deferred Token Response (draft-ietf-oauth-deferred-token-response-01): an ' +
      'RFC 8693 token exchange with completion_mode=deferred, subject_token the bearer itself and one ' +
      'stepup_action in authorization_details is the request of POST /v1/requests; it is answered 400 ' +
      'authorization_pending with deferral_code (the auth_req_id), interval and expires_in (or the token ' +
      'at once when auto-approved, 403 when the policy denies); poll it with the deferred grant type.',
    body: { schema: tokenEndpointRequestBody, form: true },
    ok: {
      '200': {
        description:
          'Approved: the token. A poll by the same agent within 60 s of delivery (a lost answer) gets ' +
          'the same token again (same claims and jti, re-signed), at most 3 more times.',
        schema: ref('TokenResponse'),
      },
    },
    errors: {
      invalid_request:
        `${BODY_ERRORS} Also, for a deferred token exchange: a subject_token other than the bearer, ` +
        'authorization_details that is not one stepup_action entry, an action the policy schema does not declare.',
      authorization_pending:
        'Nobody has decided yet, or approved and the grant is still being issued. The answer to a ' +
        'deferred token exchange, with deferral_code, interval, expires_in and binding_code.',
      slow_down: 'Polled before the previous poll plus the interval; the interval grows by 5 s each time.',
      expired_token:
        'Nobody decided in time, paging the approvers failed, or the approved token was not collected ' +
        'within 600 s.',
      invalid_grant:
        'Unknown auth_req_id, another agent’s request, or the token was already delivered (over 60 s ' +
        'ago, 4 times already, used by the resource server, or expired).',
      unsupported_grant_type: 'Any other grant_type.',
      access_denied: 'An approver or the policy denied the request, or it was cancelled or revoked.',
      too_many_requests:
        'Deferred token exchange: the agent is over a limit of config `limits`; nothing is created.',
      temporarily_unavailable:
        'Deferred token exchange: approvers cannot be paged yet, or the workflow could not start.',
      transaction_failed:
        'Terminal: stepup could not complete the approval (closing the request or issuing the grant ' +
        'failed after retries; the request is failed). Nothing was granted; ask again with a new request.',
    },
    errorFields: {
      '400': {
        interval: {
          type: 'integer',
          description: 'With slow_down: the new interval; with a deferral_code: the interval (seconds).',
        },
        deferral_code: {
          type: 'string',
          description: 'DTR: the code to poll with (the auth_req_id), bound to this agent.',
        },
        expires_in: { type: 'integer', description: 'DTR: seconds until the request expires.' },
        binding_code: { type: 'string', description: 'DTR: the code approvers see; show it to the user.' },
      },
      '403': {
        auth_req_id: { type: 'string', description: 'The recorded (denied) request.' },
        policies: { type: 'array', items: { type: 'string' }, description: 'The forbidding policies.' },
      },
    },
  },
  {
    name: 'introspect',
    method: 'POST',
    path: '/v1/introspect',
    auth: workload,
    tag: 'oauth',
    summary: 'RFC 7662 introspection by the token’s audience; the first successful call consumes it',
    description:
      'The caller’s workload sub must be the token’s aud. Every later call, and any expired, revoked, ' +
      'unknown or foreign token, is exactly {"active":false}.',
    body: { schema: introspectionRequestBody, form: true },
    ok: {
      '200': { description: 'Always 200 for a well-formed request.', schema: ref('IntrospectionResponse') },
    },
    errors: { invalid_request: BODY_ERRORS },
  },
  {
    name: 'credentialsAws',
    method: 'POST',
    path: '/v1/credentials/aws',
    auth: workload,
    tag: 'oauth',
    summary:
      'RFC 8693 token exchange: the stepup token, once, for AWS credentials scoped to the approved call',
    description:
      'For audiences the config maps to an AWS role (awsTargets). Consumes the token as introspection ' +
      'does; the session policy allows exactly the approved IAM action on the approved ARN, until the ' +
      'approval’s own lifetime ends. The session is named after the request and carries the agent as ' +
      'SourceIdentity.',
    body: { schema: awsCredentialsRequestBody, form: true },
    ok: { '200': { description: 'The credentials.', schema: ref('AwsCredentialsResponse') } },
    errors: {
      invalid_request:
        `${BODY_ERRORS} Also: a subject_token that is not a valid, unused stepup token issued to the ` +
        'caller (used, expired, revoked, another agent’s) — one answer for all.',
      unsupported_grant_type: 'grant_type is not the token-exchange grant type.',
      invalid_target: 'The token’s audience is not an AWS target; nothing is consumed.',
      temporarily_unavailable:
        'STS did not issue the credentials: exchange the same token again after Retry-After.',
    },
  },
  {
    name: 'revoke',
    method: 'POST',
    path: '/v1/revoke',
    auth: workload,
    tag: 'oauth',
    summary: 'RFC 7009 token revocation, or the operators’ per-agent kill switch',
    description:
      'token: by its agent or its audience; an invalid, unknown or foreign token is answered like ' +
      'success (RFC 7009). With token_type_hint=deferral_code, token is a DTR deferral code: its agent ' +
      'cancels the pending request (as POST /v1/requests/{id}/cancel). agent: operators only; cancels ' +
      'the agent’s pending requests and revokes its unused grants.',
    body: { schema: revokeRequestBody, form: true },
    ok: { '200': { description: 'Done.', schema: ref('RevokeResponse') } },
    errors: {
      invalid_request: BODY_ERRORS,
      forbidden: 'The kill switch by a caller that is not a configured operator.',
      conflict: 'A deferral code whose request was already decided (nothing is cancelled).',
    },
  },
  {
    name: 'listAgents',
    method: 'GET',
    path: '/v1/agents',
    auth: workload,
    tag: 'operations',
    summary: 'Every agent’s recent activity and kill switch (operators only)',
    description:
      'Per agent that has made a request: last activity, requests/approved/denied/expired over 24 h ' +
      'and 7 days, pending now, kill switch state. Pages of up to 12 agents; follow cursor.',
    parameters: [
      {
        name: 'cursor',
        in: 'query',
        required: false,
        description: 'The cursor of the previous page.',
        schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,2048}$' },
      },
    ],
    ok: { '200': { description: 'One page of agents.', schema: agentsResponse } },
    errors: {
      invalid_request: 'A cursor this API did not issue.',
      forbidden: 'The caller is not a configured operator.',
    },
  },
  {
    name: 'listAuditEvents',
    method: 'GET',
    path: '/v1/audit/events',
    auth: workload,
    tag: 'operations',
    summary: 'Every agent’s audit events, newest first, filtered (operators only)',
    description:
      'Requests and refused Slack clicks, from an index of audit activity (never a table scan). A page ' +
      'may be short, even empty, and still carry a cursor: follow it until it is absent.',
    parameters: auditQueryOpenApiParameters(),
    ok: { '200': { description: 'One page of events.', schema: auditEventsPage } },
    errors: {
      invalid_request: 'An unknown, malformed or out-of-range query parameter (named), or a foreign cursor.',
      forbidden: 'The caller is not a configured operator.',
    },
  },
  {
    name: 'accessEvaluation',
    method: 'POST',
    path: AUTHZEN_PATHS.evaluation,
    auth: workload,
    tag: 'requests',
    summary: 'OpenID AuthZEN Access Evaluation: would stepup let this agent do this? Nothing is created',
    description:
      'decision is true only for auto-approve; false with context.policy_outcome step_up (the ' +
      'requirements, and request_endpoint to ask for real) or deny (the policies). Same decision as ' +
      'POST /v1/requests, without creating a request or paging anyone. subject.id must be the ' +
      'caller unless the caller is a gateway (config agents.gateways).',
    body: { schema: accessEvaluationBody, form: false },
    ok: { '200': { description: 'The decision.', schema: accessEvaluationResponse } },
    errors: {
      invalid_request: BODY_ERRORS,
      forbidden: 'subject.id is another agent and the caller is not a configured gateway.',
    },
  },
  {
    name: 'accessEvaluations',
    method: 'POST',
    path: AUTHZEN_PATHS.evaluations,
    auth: workload,
    tag: 'requests',
    summary:
      'OpenID AuthZEN Access Evaluations: a batch, with execute_all, deny_on_first_deny, permit_on_first_permit',
    description:
      'Each evaluation takes what it leaves out (subject, action, resource, context) from the top ' +
      'level. Without evaluations, one evaluation of the top level, answered as ' +
      `${AUTHZEN_PATHS.evaluation} answers.`,
    body: { schema: accessEvaluationsBody, form: false },
    ok: {
      '200': {
        description: 'The decisions in order (or one decision, without evaluations).',
        schema: { oneOf: [accessEvaluationsResponse, accessEvaluationResponse] },
      },
    },
    errors: {
      invalid_request: BODY_ERRORS,
      forbidden: 'An evaluation’s subject.id is another agent and the caller is not a configured gateway.',
    },
  },
  {
    name: 'elevationOptions',
    method: 'GET',
    path: '/v1/elevation-options',
    auth: workload,
    tag: 'requests',
    summary: 'What this agent can ask for: the declared actions, what each needs, the known audiences',
    description:
      'Every action the policy schema declares; with resource (and audience), what POST /v1/requests ' +
      'would decide for the caller for each: auto-approve, step-up (approver groups, quorum) or deny. ' +
      'Plus the audiences the config knows. Nothing is created or paged.',
    parameters: elevationOptionsParameters(),
    ok: { '200': { description: 'The options.', schema: elevationOptionsResponse } },
    errors: { invalid_request: 'An unknown or invalid query parameter.' },
  },
  {
    name: 'mcp',
    method: 'POST',
    path: MCP_PATH,
    auth: workload,
    tag: 'requests',
    summary:
      'The stepup MCP server over Streamable HTTP (stateless, JSON responses); the workload JWT is the bearer',
    description:
      'JSON-RPC 2.0 as MCP Streamable HTTP carries it (send Accept: application/json, text/event-stream). ' +
      'Tools request_elevation, check_elevation, get_aws_credentials, list_elevation_options, acting as ' +
      'the caller through this API; a tool call waits at most 20 s (the HTTP API answers within 30 s): ' +
      'a pending answer carries the auth_req_id for check_elevation. No session, no SSE, no MCP tasks.',
    ok: {
      '200': {
        description: 'The JSON-RPC response (an MCP error included).',
        schema: { type: 'object', required: ['jsonrpc'], properties: { jsonrpc: { const: '2.0' } } },
      },
      '202': { description: 'A notification or response was accepted (no body).' },
    },
    errors: { invalid_request: 'A body over 64 KiB.' },
  },
  {
    name: 'protectedResourceMetadata',
    method: 'GET',
    path: PROTECTED_RESOURCE_METADATA_PATH,
    auth: {
      kind: 'public',
      reason:
        'GET /.well-known/oauth-protected-resource is RFC 9728 metadata of the MCP endpoint (its URL and ' +
        'the workload issuer whose tokens it takes); MCP hosts read it before they have any credential, ' +
        'and it holds no secret.',
    },
    tag: 'discovery',
    summary: 'RFC 9728 protected resource metadata of the remote MCP endpoint',
    ok: {
      '200': {
        description: 'The metadata.',
        schema: {
          type: 'object',
          required: ['resource', 'authorization_servers', 'bearer_methods_supported'],
          properties: {
            resource: { type: 'string', format: 'uri' },
            authorization_servers: { type: 'array', items: { type: 'string', format: 'uri' } },
            bearer_methods_supported: { type: 'array', items: { const: 'header' } },
            resource_name: { type: 'string' },
            resource_documentation: { type: 'string', format: 'uri' },
          },
        },
        cacheControl: 'public, max-age=3600',
      },
    },
  },
  {
    name: 'authzenConfiguration',
    method: 'GET',
    path: AUTHZEN_PATHS.configuration,
    auth: {
      kind: 'public',
      reason:
        'GET /.well-known/authzen-configuration is OpenID AuthZEN PDP discovery metadata (endpoint URLs); ' +
        'gateways read it before they have any credential, and it holds no secret.',
    },
    tag: 'discovery',
    summary: 'OpenID AuthZEN PDP metadata: the evaluation endpoints',
    ok: {
      '200': {
        description: 'The metadata.',
        schema: {
          type: 'object',
          required: ['policy_decision_point', 'access_evaluation_endpoint', 'access_evaluations_endpoint'],
          properties: {
            policy_decision_point: { type: 'string', format: 'uri' },
            access_evaluation_endpoint: { type: 'string', format: 'uri' },
            access_evaluations_endpoint: { type: 'string', format: 'uri' },
          },
        },
        cacheControl: 'public, max-age=3600',
      },
    },
  },
  {
    name: 'jwks',
    method: 'GET',
    path: '/.well-known/jwks.json',
    auth: {
      kind: 'public',
      reason:
        'GET /.well-known/jwks.json publishes the public signing key so resource servers can verify tokens; ' +
        'it is public by definition (RFC 7517/8414).',
    },
    tag: 'discovery',
    summary: 'The public signing keys, including retired ones still in use',
    ok: {
      '200': {
        description: 'RFC 7517 key set.',
        schema: ref('JsonWebKeySet'),
        cacheControl: 'public, max-age=300',
      },
    },
  },
  {
    name: 'serverMetadata',
    method: 'GET',
    path: '/.well-known/oauth-authorization-server',
    auth: {
      kind: 'public',
      reason:
        'GET /.well-known/oauth-authorization-server is RFC 8414 discovery metadata (endpoint URLs and ' +
        'supported algorithms); clients read it before they have any credential, and it holds no secret.',
    },
    tag: 'discovery',
    summary: 'RFC 8414 metadata: endpoints, grant type, algorithms',
    ok: {
      '200': {
        description: 'The metadata.',
        schema: ref('ServerMetadata'),
        cacheControl: 'public, max-age=3600',
      },
    },
  },
  {
    name: 'openApi',
    method: 'GET',
    path: '/openapi.json',
    auth: {
      kind: 'public',
      reason:
        'GET /openapi.json is the OpenAPI description of the API (routes, request and response schemas), ' +
        'built from code; clients and tools read it before they have any credential, and it holds no secret.',
    },
    tag: 'discovery',
    summary: 'This document',
    ok: {
      '200': {
        description: `The OpenAPI ${OPENAPI_VERSION} document.`,
        schema: {
          type: 'object',
          required: ['openapi', 'info', 'paths'],
          properties: { openapi: { const: OPENAPI_VERSION } },
        },
        cacheControl: 'public, max-age=3600',
      },
    },
  },
  {
    name: 'health',
    method: 'GET',
    path: '/health',
    auth: {
      kind: 'public',
      reason: 'GET /health is a liveness probe for load balancers and uptime checks; it returns no data.',
    },
    tag: 'operations',
    summary: 'Liveness; touches no dependency',
    ok: { '200': { description: 'Up.', schema: ref('Health') } },
    cannotFail: true,
  },
  {
    name: 'slackEvents',
    method: 'POST',
    path: '/slack/events',
    auth: {
      kind: 'slack',
      reason:
        'POST /slack/events is called by Slack, which cannot present a workload JWT; the handler ' +
        'authenticates every request by its Slack signature (signing secret, timestamp window) instead.',
    },
    tag: 'operations',
    summary: 'Slack interactivity (Approve / Deny clicks); called by Slack, authenticated by its signature',
    ok: { '200': { description: 'Handled.' } },
  },
  ...PASSKEY_ROUTES,
] as const satisfies readonly Route[];

/** The name of one route (and of its Lambda function). */
export type RouteName = (typeof ROUTES)[number]['name'];

/** `getRequest` → `get-request`: a route's handler file under `lambdas/handlers/`. */
export function handlerFileOf(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
