import type { AuditEventType, PolicyOutcome, RequestStatus } from '../../domain/requests/approval-request';
import {
  AUTHORIZATION_DETAILS_TYPE,
  AWS_CREDENTIALS_TOKEN_TYPE,
  ERROR_CODES,
  REQUEST_STATES,
  REQUIRED_TOKEN_CLAIMS,
  SERVER_ERROR,
  type RequestState,
} from '../../contract';
import type { JsonSchema } from './schema';
import { TRACE_RESPONSE_SCHEMAS, TRACE_SCHEMA } from './trace-responses';
import { REQUEST_ID_PATTERN } from '../../domain/ids';

/*
 * What the API answers, as JSON Schema for the OpenAPI document. Responses are built by code, not
 * parsed, so these are descriptions only: the integration test `openapi-routes` holds every live
 * answer to them. Enumerations come from the domain's types and fail to compile when one grows.
 */

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const every = <T extends string>(members: Record<T, true>): T[] => Object.keys(members) as T[];

/** Every error code a handler answers with (`server_error` is the opaque 500). */
export const ANSWERED_ERROR_CODES = [...ERROR_CODES, SERVER_ERROR] as const;

// The contract's states are exactly the domain's statuses, lowercased: this fails to compile otherwise.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _statesMatch: Same<RequestState, Lowercase<RequestStatus>> = true;

const POLICY_OUTCOMES = every<PolicyOutcome>({ auto_approve: true, step_up: true, deny: true });

const AUDIT_EVENT_TYPES = every<AuditEventType>({
  requested: true,
  auto_approved: true,
  policy_log_only: true,
  notified: true,
  escalated: true,
  vote: true,
  vote_refused: true,
  approved: true,
  denied: true,
  expired: true,
  grant_issued: true,
  token_delivered: true,
  token_consumed: true,
  parameters_mismatch: true,
  credentials_issued: true,
  credentials_failed: true,
  cancelled: true,
  revoked: true,
  failed: true,
  outcome_notified: true,
  action_outcome: true,
});

const strings: JsonSchema = { type: 'array', items: { type: 'string' } };
const instant: JsonSchema = { type: 'string', format: 'date-time' };
const seconds = (description: string): JsonSchema => ({ type: 'integer', minimum: 0, description });
const requestId: JsonSchema = {
  type: 'string',
  pattern: REQUEST_ID_PATTERN.source,
  description: 'The request id (auth_req_id).',
};
/** A SHA-256 digest, base64url without padding. */
const digest: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' };
const parametersDigest: JsonSchema = {
  ...digest,
  description:
    'Present when the request bound its parameters: SHA-256 (base64url, no padding) of their RFC 8785 ' +
    'canonical JSON. The resource server recomputes it from the arguments it received.',
};
const compactJws: JsonSchema = {
  type: 'string',
  pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
};

/** The response schemas, by component name. */
export const RESPONSE_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Error: {
    type: 'object',
    description:
      'Every 4xx and 5xx a handler answers. Some errors add fields: a policy deny its policies and ' +
      'auth_req_id, slow_down the new interval.',
    required: ['error', 'error_description'],
    properties: {
      error: { type: 'string', enum: ANSWERED_ERROR_CODES, description: 'Stable, machine-readable code.' },
      error_description: { type: 'string', description: 'Human text; never a stack trace.' },
    },
  },
  GatewayError: {
    type: 'object',
    description:
      'What API Gateway answers itself, before any handler runs: no Authorization header at all ' +
      '(401 {"message":"Unauthorized"}), throttling (429). Only in AWS.',
    required: ['message'],
    properties: { message: { type: 'string' } },
  },
  CreatedRequest: {
    type: 'object',
    description: 'The answer to a create (CIBA backchannel authentication response).',
    required: ['auth_req_id', 'status', 'expires_in', 'interval', 'binding_code'],
    additionalProperties: false,
    properties: {
      auth_req_id: requestId,
      status: { enum: ['pending', 'approved'] },
      expires_in: seconds(
        'pending: seconds left to decide; approved: seconds left to collect the token at /v1/token.',
      ),
      interval: seconds('Poll /v1/token at most this often (seconds).'),
      binding_code: {
        type: 'string',
        pattern: '^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$',
        description: 'Shown to the approvers too, so they can tie the Slack message to this agent session.',
      },
      deduplicated: {
        const: true,
        description:
          'Present when an identical request (same agent, action, resource, audience and parameters ' +
          'digest) was already pending: this answer is that request (its auth_req_id and binding code), ' +
          'nobody was paged again, and nothing new was counted.',
      },
    },
  },
  AuditEvent: {
    type: 'object',
    required: ['type', 'at', 'actor'],
    additionalProperties: false,
    properties: {
      type: { enum: AUDIT_EVENT_TYPES },
      at: instant,
      actor: {
        type: 'string',
        description:
          'agent:<sub>, slack:<team>/<user>, policy, workflow, operator:<sub>, resource-server:<sub>…',
      },
      detail: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
      prev: {
        ...digest,
        description:
          'SHA-256 (RFC 8785 JSON, base64url) of the event before it in the chain, or of {"auth_req_id": id} ' +
          'for the first; absent on token_consumed (outside the chain) and on events older than the chain.',
      },
    },
  },
  RequestView: {
    type: 'object',
    description: 'A request as its agent sees it: status, decision, approvers and the audit trail.',
    required: [
      'auth_req_id',
      'status',
      'action',
      'resource',
      'audience',
      'justification',
      'binding_code',
      'created_at',
      'expires_at',
      'policy_outcome',
      'requirements',
      'approvers',
      'token_delivered',
      'token_used',
      'events',
    ],
    additionalProperties: false,
    properties: {
      auth_req_id: requestId,
      status: { enum: REQUEST_STATES },
      action: { type: 'string' },
      resource: { type: 'string' },
      audience: { type: 'string' },
      justification: { type: 'string' },
      parameters: {
        type: 'object',
        description: 'The exact arguments the approval is bound to, as sent (RFC 8785 canonical order).',
      },
      parameters_sha256: parametersDigest,
      on_behalf_of: { type: 'string' },
      binding_code: { type: 'string' },
      created_at: instant,
      expires_at: { ...instant, description: 'The approval deadline.' },
      policy_outcome: { enum: POLICY_OUTCOMES },
      requirements: {
        type: 'object',
        required: ['approver_groups', 'quorum', 'policies', 'max_token_ttl_seconds'],
        additionalProperties: false,
        properties: {
          approver_groups: {
            type: 'array',
            items: strings,
            description: 'Per deciding policy, the groups it accepts; an approver needs one of each.',
          },
          quorum: { type: 'integer', minimum: 0, description: 'Distinct approvals needed.' },
          policies: { ...strings, description: 'The deciding policies.' },
          max_token_ttl_seconds: { type: 'integer', minimum: 0 },
          escalate_to: { type: 'string', description: 'Paged when the approval timeout passes.' },
          description: {
            type: 'string',
            description: 'The deciding policies’ own @description, as approvers see it.',
          },
        },
      },
      approvers: { ...strings, description: 'Who approved (Slack user ids).' },
      decided_at: instant,
      denial_reason: { type: 'string' },
      token_delivered: { type: 'boolean' },
      token_used: { type: 'boolean', description: 'The token was consumed by introspection.' },
      events: {
        type: 'array',
        items: ref('AuditEvent'),
        description: 'In chain order; stepup audit verify recomputes the chain.',
      },
      audit_head: { ...digest, description: 'SHA-256 of the last chained event (tamper evidence).' },
      trace: TRACE_SCHEMA,
      trail: {
        type: 'array',
        items: ref('TrailLink'),
        description:
          'prompt → tool_call → request → policy → vote → decision → grant → delivery → use → outcome: ' +
          'the links that happened, each naming its event.',
      },
    },
  },
  AuthorizationDetail: {
    type: 'object',
    description: 'RFC 9396: exactly the one approved action.',
    required: ['type', 'actions', 'identifier', 'locations'],
    additionalProperties: false,
    properties: {
      type: { const: AUTHORIZATION_DETAILS_TYPE },
      actions: strings,
      identifier: { type: 'string', description: 'The resource.' },
      locations: { ...strings, description: 'The audience.' },
      parameters_sha256: parametersDigest,
    },
  },
  TokenResponse: {
    type: 'object',
    description: 'RFC 6749 §5.1 with RFC 9396 details; delivered exactly once.',
    required: ['access_token', 'token_type', 'expires_in', 'authorization_details'],
    additionalProperties: false,
    properties: {
      access_token: { ...compactJws, description: 'An ES256 JWT (typ at+jwt), single-use.' },
      token_type: { enum: ['Bearer', 'DPoP'], description: 'DPoP when bound to the agent’s dpop_jwk.' },
      expires_in: seconds('The token lifetime.'),
      authorization_details: { type: 'array', items: ref('AuthorizationDetail') },
    },
  },
  AwsCredentialsResponse: {
    type: 'object',
    description:
      'RFC 8693 §2.2.1, plus the credentials as the AWS SDKs name them. STS issues them for 900 s (its ' +
      'minimum); the session policy stops the approved call at the approval’s own lifetime.',
    required: [
      'issued_token_type',
      'token_type',
      'access_token',
      'expires_in',
      'access_key_id',
      'secret_access_key',
      'session_token',
      'expiration',
      'region',
    ],
    additionalProperties: false,
    properties: {
      issued_token_type: { const: AWS_CREDENTIALS_TOKEN_TYPE },
      token_type: { const: 'N_A', description: 'RFC 8693: not an OAuth access token.' },
      access_token: { type: 'string', description: 'The session token again, where RFC 8693 clients look.' },
      expires_in: seconds('Until STS expires the credentials.'),
      access_key_id: { type: 'string', description: 'Recorded in the audit trail and in CloudTrail.' },
      secret_access_key: { type: 'string' },
      session_token: { type: 'string' },
      expiration: { type: 'string', format: 'date-time' },
      region: { type: 'string', description: 'The resource’s region (the deployment’s for global ARNs).' },
    },
  },
  IntrospectionResponse: {
    description:
      'RFC 7662. Active exactly once, for the token’s audience; otherwise exactly {"active":false}, ' +
      'with no hint why.',
    oneOf: [
      {
        title: 'inactive',
        type: 'object',
        required: ['active'],
        additionalProperties: false,
        properties: { active: { const: false } },
      },
      {
        title: 'active: the token’s claims',
        type: 'object',
        required: ['active', 'token_type', ...REQUIRED_TOKEN_CLAIMS],
        properties: {
          active: { const: true },
          token_type: { enum: ['Bearer', 'DPoP'] },
          iss: { type: 'string' },
          sub: { type: 'string', description: 'The verified human, else the agent.' },
          act: {
            type: 'object',
            required: ['sub'],
            properties: { sub: { type: 'string' } },
            description: 'The agent, when sub is a verified human (RFC 8693).',
          },
          aud: { type: 'string' },
          client_id: { type: 'string', description: 'The agent.' },
          iat: { type: 'integer' },
          nbf: { type: 'integer' },
          exp: { type: 'integer' },
          jti: { type: 'string' },
          authorization_details: { type: 'array', items: ref('AuthorizationDetail') },
          approval: {
            type: 'object',
            required: ['request_id', 'approvers', 'policy'],
            properties: {
              request_id: requestId,
              approvers: strings,
              policy: { type: 'string' },
              decided_at: instant,
              assurance: {
                enum: ['passkey', 'slack'],
                description:
                  'passkey: every counted approval was confirmed with a verified passkey (WebAuthn, user ' +
                  'verification); slack: a click in Slack (or no human vote at all).',
              },
            },
          },
          cnf: {
            type: 'object',
            required: ['jkt'],
            properties: { jkt: { type: 'string' } },
            description: 'RFC 9449 key binding.',
          },
          trace: TRACE_SCHEMA,
        },
      },
    ],
  },
  RevokeResponse: {
    oneOf: [
      {
        title: 'token revoked (or unknown: RFC 7009 answers the same)',
        type: 'object',
        maxProperties: 0,
      },
      {
        title: 'kill switch',
        type: 'object',
        required: ['agent', 'cancelled', 'revoked', 'complete', 'started_at'],
        additionalProperties: false,
        properties: {
          agent: { type: 'string' },
          cancelled: {
            type: 'integer',
            minimum: 0,
            description: 'Pending requests cancelled by this kill switch run so far (all calls of the run).',
          },
          revoked: { type: 'integer', minimum: 0, description: 'Grants revoked by this run so far.' },
          complete: {
            type: 'boolean',
            description:
              'True when nothing of the agent is left pending or unused. False when this call ran out of ' +
              'time first: the run is recorded and the reconciler carries it on within minutes; calling ' +
              'again joins the run and shows how far it got.',
          },
          started_at: { type: 'string', format: 'date-time', description: 'When the run was first pulled.' },
          completed_at: {
            type: 'string',
            format: 'date-time',
            description: 'When nothing of the agent was left open (absent while the run goes on).',
          },
        },
      },
    ],
  },
  JsonWebKeySet: {
    type: 'object',
    description: 'The signing keys, including retired ones whose tokens may still be valid.',
    required: ['keys'],
    properties: {
      keys: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['kty', 'crv', 'x', 'y', 'kid', 'alg', 'use'],
          properties: {
            kty: { const: 'EC' },
            crv: { const: 'P-256' },
            x: { type: 'string' },
            y: { type: 'string' },
            kid: { type: 'string', description: 'The key’s RFC 7638 thumbprint.' },
            alg: { const: 'ES256' },
            use: { const: 'sig' },
          },
        },
      },
    },
  },
  Health: {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: { status: { const: 'ok' } },
  },
  ...TRACE_RESPONSE_SCHEMAS,
};
