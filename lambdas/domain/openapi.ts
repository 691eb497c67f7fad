import packageJson from '../../package.json';
import { StepUpError, type ErrorCode } from './errors';
import { createRequestBody } from './schemas/create-request';
import { introspectionRequestBody } from './schemas/introspection-request';
import { RESPONSE_SCHEMAS } from './schemas/responses';
import { revokeRequestBody } from './schemas/revoke-request';
import type { BodySchema, JsonSchema } from './schemas/schema';
import { tokenRequestBody } from './schemas/token-request';
import { serverMetadata } from './server-metadata';
import { REQUEST_ID_PATTERN } from './ids';

/** The OpenAPI version of the document. */
export const OPENAPI_VERSION = '3.1.0';

/** Where `npm start` listens by default: the server of the document kept in the repo. */
export const LOCAL_ISSUER = 'http://127.0.0.1:3000';

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

// Request bodies, each declared once in `./schemas/`: the handlers parse with them too.
const REQUEST_BODIES: readonly Pick<BodySchema<never>, 'name' | 'jsonSchema'>[] = [
  createRequestBody,
  tokenRequestBody,
  introspectionRequestBody,
  revokeRequestBody,
];

/** RFC 8414 metadata, described from what {@link serverMetadata} answers. */
function serverMetadataSchema(): JsonSchema {
  const sample = serverMetadata('https://stepup.example');
  return {
    type: 'object',
    description: 'RFC 8414 authorization server metadata, with the CIBA, RFC 9396 and RFC 9449 fields.',
    required: Object.keys(sample),
    properties: Object.fromEntries(
      Object.entries(sample).map(([key, value]) => [
        key,
        Array.isArray(value)
          ? { type: 'array', items: { type: 'string' }, const: value }
          : { type: 'string', format: 'uri' },
      ]),
    ),
  };
}

interface Ok {
  readonly description: string;
  readonly schema?: JsonSchema;
  readonly cacheControl?: string;
}

/** One operation of the API, as the document shows it. */
interface Operation {
  readonly method: 'get' | 'post';
  readonly path: string;
  readonly operationId: string;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  /** Behind the workload JWT (else public). */
  readonly auth: boolean;
  readonly parameters?: readonly JsonSchema[];
  /** The request body, and whether it may also come form-encoded (the OAuth endpoints). */
  readonly body?: { readonly schema: { readonly name: string }; readonly form: boolean };
  readonly ok: Readonly<Record<string, Ok>>;
  /** The errors its handler answers besides `invalid_token` and `server_error`, and when. */
  readonly errors?: Partial<Readonly<Record<ErrorCode, string>>>;
  /** Fields some errors add to the body, by HTTP status. */
  readonly errorFields?: Readonly<Record<string, Readonly<Record<string, JsonSchema>>>>;
  /** Runs no handler code that could fail (no 500 documented). */
  readonly cannotFail?: boolean;
}

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

const OPERATIONS: readonly Operation[] = [
  {
    method: 'post',
    path: '/v1/requests',
    operationId: 'createRequest',
    tag: 'requests',
    summary: 'Ask to perform one high-risk action',
    description:
      'The policies decide: step-up (202, approvers are paged in Slack), auto-approve (200, the ' +
      'token is ready at /v1/token at once) or deny (403, recorded like any other request).',
    auth: true,
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
        `${BODY_ERRORS} Also: a context signal the policy schema does not declare, a subject_token ` +
        'that does not verify or names someone else, a malformed Idempotency-Key.',
      access_denied: 'A policy forbids the action; the request is recorded as denied.',
      conflict: 'The Idempotency-Key was already used with a different body.',
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
    method: 'get',
    path: '/v1/requests/{id}',
    operationId: 'getRequest',
    tag: 'requests',
    summary: 'A request’s status, decision, approvers and audit trail (its own agent only)',
    auth: true,
    parameters: [idParameter],
    ok: { '200': { description: 'The request.', schema: ref('RequestView') } },
    errors: { not_found: 'No such request for this agent.' },
  },
  {
    method: 'post',
    path: '/v1/requests/{id}/cancel',
    operationId: 'cancelRequest',
    tag: 'requests',
    summary: 'Withdraw a pending request',
    description:
      'Stops the approval and updates the Slack message. Cancelling a cancelled request answers it ' +
      'again. No body.',
    auth: true,
    parameters: [idParameter],
    ok: { '200': { description: 'The cancelled request.', schema: ref('RequestView') } },
    errors: {
      not_found: 'No such request for this agent.',
      conflict: 'The request was already decided (approved, denied or expired) or failed.',
    },
  },
  {
    method: 'post',
    path: '/v1/token',
    operationId: 'token',
    tag: 'oauth',
    summary: 'CIBA poll: the single-use token once approved, exactly once',
    description:
      'Poll no faster than the interval. Only the requesting agent may redeem; anyone else is told ' +
      'the id is unknown.',
    auth: true,
    body: { schema: tokenRequestBody, form: true },
    ok: {
      '200': {
        description:
          'Approved: the token. A poll by the same agent within 60 s of delivery (a lost answer) gets ' +
          'the same token again (same claims and jti, re-signed), at most 3 more times.',
        schema: ref('TokenResponse'),
      },
    },
    errors: {
      invalid_request: BODY_ERRORS,
      authorization_pending: 'Nobody has decided yet, or approved and the grant is still being issued.',
      slow_down: 'Polled before the previous poll plus the interval; the interval grows by 5 s each time.',
      expired_token:
        'Nobody decided in time, paging the approvers failed, or the approved token was not collected ' +
        'within 600 s.',
      invalid_grant:
        'Unknown auth_req_id, another agent’s request, or the token was already delivered (over 60 s ' +
        'ago, 4 times already, used by the resource server, or expired).',
      unsupported_grant_type: 'Any other grant_type.',
      access_denied: 'An approver or the policy denied the request, or it was cancelled or revoked.',
      transaction_failed:
        'Terminal: stepup could not complete the approval (closing the request or issuing the grant ' +
        'failed after retries; the request is failed). Nothing was granted; ask again with a new request.',
    },
    errorFields: {
      '400': { interval: { type: 'integer', description: 'With slow_down: the new interval (seconds).' } },
    },
  },
  {
    method: 'post',
    path: '/v1/introspect',
    operationId: 'introspect',
    tag: 'oauth',
    summary: 'RFC 7662 introspection by the token’s audience; the first successful call consumes it',
    description:
      'The caller’s workload sub must be the token’s aud. Every later call, and any expired, revoked, ' +
      'unknown or foreign token, is exactly {"active":false}.',
    auth: true,
    body: { schema: introspectionRequestBody, form: true },
    ok: {
      '200': { description: 'Always 200 for a well-formed request.', schema: ref('IntrospectionResponse') },
    },
    errors: { invalid_request: BODY_ERRORS },
  },
  {
    method: 'post',
    path: '/v1/revoke',
    operationId: 'revoke',
    tag: 'oauth',
    summary: 'RFC 7009 token revocation, or the operators’ per-agent kill switch',
    description:
      'token: by its agent or its audience; an invalid, unknown or foreign token is answered like ' +
      'success (RFC 7009). agent: operators only; cancels the agent’s pending requests and revokes ' +
      'its unused grants.',
    auth: true,
    body: { schema: revokeRequestBody, form: true },
    ok: { '200': { description: 'Done.', schema: ref('RevokeResponse') } },
    errors: {
      invalid_request: BODY_ERRORS,
      forbidden: 'The kill switch by a caller that is not a configured operator.',
    },
  },
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    operationId: 'jwks',
    tag: 'discovery',
    summary: 'The public signing keys, including retired ones still in use',
    auth: false,
    ok: {
      '200': {
        description: 'RFC 7517 key set.',
        schema: ref('JsonWebKeySet'),
        cacheControl: 'public, max-age=300',
      },
    },
  },
  {
    method: 'get',
    path: '/.well-known/oauth-authorization-server',
    operationId: 'serverMetadata',
    tag: 'discovery',
    summary: 'RFC 8414 metadata: endpoints, grant type, algorithms',
    auth: false,
    ok: {
      '200': {
        description: 'The metadata.',
        schema: ref('ServerMetadata'),
        cacheControl: 'public, max-age=3600',
      },
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openApi',
    tag: 'discovery',
    summary: 'This document',
    auth: false,
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
    method: 'get',
    path: '/health',
    operationId: 'health',
    tag: 'operations',
    summary: 'Liveness; touches no dependency',
    auth: false,
    ok: { '200': { description: 'Up.', schema: ref('Health') } },
    cannotFail: true,
  },
];

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

const cacheHeader = (value: string) => ({
  'Cache-Control': { description: value, schema: { type: 'string', const: value } },
});

/** `{error, error_description}` narrowed to `codes`, plus the fields those errors add. */
function errorSchema(
  codes: readonly string[],
  fields: Readonly<Record<string, JsonSchema>> = {},
): JsonSchema {
  return {
    type: 'object',
    allOf: [ref('Error')],
    properties: { error: codes.length === 1 ? { const: codes[0] } : { enum: codes }, ...fields },
  };
}

/** Every route behind the workload JWT admits its callers first (config `agents.admit`). */
const UNKNOWN_AGENT =
  "The workload identity is valid but not admitted: no rule in the config's agents.admit (or " +
  'operators) matches it. Nothing is evaluated or stored.';

function errorResponses(operation: Operation): Record<string, JsonSchema> {
  const byStatus = new Map<string, [string, string][]>();
  const errors = { ...operation.errors, ...(operation.auth ? { unknown_agent: UNKNOWN_AGENT } : {}) };
  for (const [code, when] of Object.entries(errors)) {
    const status = String(new StepUpError(code as ErrorCode, '').status);
    byStatus.set(status, [...(byStatus.get(status) ?? []), [code, when]]);
  }
  const responses: Record<string, JsonSchema> = {};
  for (const [status, errors] of [...byStatus].sort(([a], [b]) => a.localeCompare(b))) {
    responses[status] = {
      description: errors.map(([code, when]) => `${code}: ${when}`).join('\n\n'),
      content: json(
        errorSchema(
          errors.map(([code]) => code),
          operation.errorFields?.[status],
        ),
      ),
    };
  }
  if (operation.auth) {
    responses['401'] = {
      description:
        'invalid_token: missing or invalid workload bearer token. In AWS the JWT authorizer refuses ' +
        'it before any handler runs, with {"message":"Unauthorized"}.',
      headers: {
        'WWW-Authenticate': { description: 'Bearer error="invalid_token"', schema: { type: 'string' } },
      },
      content: json({ anyOf: [errorSchema(['invalid_token']), ref('GatewayError')] }),
    };
  }
  if (!operation.cannotFail) {
    responses['500'] = {
      description: 'server_error: an unexpected failure; logged, never detailed.',
      content: json(errorSchema(['server_error'])),
    };
  }
  return responses;
}

function operationObject(operation: Operation): JsonSchema {
  const body = operation.body;
  return {
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    ...(operation.auth ? {} : { security: [] }),
    ...(operation.parameters ? { parameters: operation.parameters } : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
            description: body.form
              ? 'JSON or form-encoded (each field at most once); at most 64 KiB.'
              : 'JSON; at most 64 KiB.',
            content: {
              'application/json': { schema: ref(body.schema.name) },
              ...(body.form
                ? { 'application/x-www-form-urlencoded': { schema: ref(body.schema.name) } }
                : {}),
            },
          },
        }
      : {}),
    responses: {
      ...Object.fromEntries(
        Object.entries(operation.ok).map(([status, ok]) => [
          status,
          {
            description: ok.description,
            ...(ok.cacheControl ? { headers: cacheHeader(ok.cacheControl) } : {}),
            ...(ok.schema ? { content: json(ok.schema) } : {}),
          },
        ]),
      ),
      ...errorResponses(operation),
    },
  };
}

/** The one route not for agents: Slack's, named and no more. */
const slackEvents = {
  post: {
    operationId: 'slackEvents',
    tags: ['operations'],
    summary: 'Slack interactivity (Approve / Deny clicks); called by Slack, authenticated by its signature',
    security: [{ slackSignature: [] }],
    responses: {
      '200': { description: 'Handled.' },
      '400': { description: 'Unreadable Slack payload.' },
      '401': { description: 'Bad or stale Slack signature.' },
    },
  },
};

/**
 * The OpenAPI 3.1 document of the API served at `issuer` (its base URL, the tokens' `iss`). The
 * request bodies are the schemas the handlers parse with; the local-only `/dev/*` routes are not
 * part of the API and not listed.
 */
export function openApiDocument(issuer: string): Record<string, unknown> {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const operation of OPERATIONS) {
    paths[operation.path] = { ...paths[operation.path], [operation.method]: operationObject(operation) };
  }
  paths['/slack/events'] = slackEvents;
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'stepup',
      version: packageJson.version,
      summary: 'Step-up approval for AI agents',
      description:
        'One high-risk action, approved by humans in Slack, yields a single-use token scoped to exactly ' +
        'that action. Errors are {"error", "error_description"}. In AWS, API Gateway answers some ' +
        'requests itself before any handler: unknown routes 404 {"message":"Not Found"}, throttling 429, ' +
        'oversized bodies 413.',
      license: { name: packageJson.license, identifier: packageJson.license },
    },
    servers: [{ url: issuer }],
    security: [{ workloadJwt: [] }],
    tags: [
      { name: 'requests', description: 'Agents ask, and follow their requests.' },
      { name: 'oauth', description: 'Token endpoint, introspection and revocation (form or JSON).' },
      { name: 'discovery', description: 'Public keys and metadata.' },
      { name: 'operations', description: 'Liveness and Slack.' },
    ],
    paths,
    components: {
      securitySchemes: {
        workloadJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'The caller’s workload identity (OIDC: EKS, GitHub, SPIFFE-style issuers); its sub is the ' +
            'agent or resource server id. In AWS the JWT authorizer checks issuer and audience from the ' +
            'config; locally the dev issuer’s tokens (POST /dev/token) are accepted.',
        },
        slackSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Slack-Signature',
          description: 'Slack’s request signature (signing secret, with X-Slack-Request-Timestamp).',
        },
      },
      schemas: {
        ...Object.fromEntries(REQUEST_BODIES.map((body) => [body.name, body.jsonSchema()])),
        ...RESPONSE_SCHEMAS,
        ServerMetadata: serverMetadataSchema(),
      },
    },
  };
}
