import packageJson from '../../package.json';
import type { ErrorCode } from '../contract';
import { httpStatusOf } from './error-response';
import { RESPONSE_SCHEMAS } from './schemas/responses';
import { jsonSchemaOf, type JsonSchema } from './schemas/schema';
import { serverMetadata } from './server-metadata';
import { OPENAPI_VERSION, ROUTES, type Route } from './routes';

export { OPENAPI_VERSION } from './routes';

/** Where `npm start` listens by default: the server of the document kept in the repo. */
export const LOCAL_ISSUER = 'http://127.0.0.1:3000';

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

// Request bodies, each declared once in `./schemas/` and named by its route: the handlers parse with them too.
const REQUEST_BODIES = ROUTES.flatMap((route: Route) => (route.body ? [route.body.schema] : []));

/** RFC 8414 metadata, described from what {@link serverMetadata} answers. */
function serverMetadataSchema(): JsonSchema {
  const sample = serverMetadata('https://stepup.example');
  return {
    type: 'object',
    description:
      'RFC 8414 authorization server metadata, with the CIBA, RFC 9396 and RFC 9449 fields, and ' +
      'token_endpoint_wait_max_seconds: the largest wait (long-poll) POST /v1/token accepts; ' +
      'deferred_token_response_supported: the Deferred Token Response draft (-01).',
    required: Object.keys(sample),
    properties: Object.fromEntries(
      Object.entries(sample).map(([key, value]) => [
        key,
        Array.isArray(value)
          ? { type: 'array', items: { type: 'string' }, const: value }
          : typeof value === 'number'
            ? { type: 'integer', const: value }
            : typeof value === 'boolean'
              ? { type: 'boolean', const: value }
              : { type: 'string', format: 'uri' },
      ]),
    ),
  };
}

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

function errorResponses(operation: Route): Record<string, JsonSchema> {
  const byStatus = new Map<string, [string, string][]>();
  const workload = operation.auth.kind === 'workload';
  const errors = { ...operation.errors, ...(workload ? { unknown_agent: UNKNOWN_AGENT } : {}) };
  for (const [code, when] of Object.entries(errors)) {
    const status = String(httpStatusOf(code as ErrorCode));
    byStatus.set(status, [...(byStatus.get(status) ?? []), [code, when]]);
  }
  const responses: Record<string, JsonSchema> = {};
  for (const [status, errors] of [...byStatus].sort(([a], [b]) => a.localeCompare(b))) {
    responses[status] = {
      description: errors.map(([code, when]) => `${code}: ${when}`).join('\n\n'),
      content: operation.errorsAsHtml
        ? { 'text/html': { schema: { type: 'string' } } }
        : json(
            errorSchema(
              errors.map(([code]) => code),
              operation.errorFields?.[status],
            ),
          ),
    };
  }
  if (workload) {
    responses['401'] = {
      description:
        'invalid_token: missing or invalid workload bearer token; error_description (in the body and ' +
        'the challenge) says why: expired (and when), not signed by the configured issuer, another ' +
        'issuer or audience, or malformed. In AWS a request with no Authorization header at all is ' +
        'refused by API Gateway before any handler runs, with {"message":"Unauthorized"}.',
      headers: {
        'WWW-Authenticate': {
          description: 'Bearer error="invalid_token", error_description="<why>"',
          schema: { type: 'string' },
        },
      },
      content: json({ anyOf: [errorSchema(['invalid_token']), ref('GatewayError')] }),
    };
  }
  if (operation.auth.kind === 'slack') {
    // Bolt's answers, not the API's error shape: Slack reads the status only.
    responses['400'] = { description: 'Unreadable Slack payload.' };
    responses['401'] = { description: 'Bad or stale Slack signature.' };
    return responses;
  }
  if (!operation.cannotFail) {
    responses['500'] = {
      description: 'server_error: an unexpected failure; logged, never detailed.',
      content: json(errorSchema(['server_error'])),
    };
  }
  return responses;
}

function operationObject(operation: Route): JsonSchema {
  const body = operation.body;
  return {
    operationId: operation.name,
    tags: [operation.tag],
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    ...SECURITY[operation.auth.kind],
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

/** The `security` of an operation: the document's default (the workload JWT), none, or Slack's signature. */
const SECURITY: Readonly<Record<Route['auth']['kind'], JsonSchema>> = {
  workload: {},
  public: { security: [] },
  slack: { security: [{ slackSignature: [] }] },
};

/**
 * The OpenAPI 3.1 document of the API served at `issuer` (its base URL, the tokens' `iss`). The
 * request bodies are the schemas the handlers parse with; the local-only `/dev/*` routes are not
 * part of the API and not listed.
 */
export function openApiDocument(issuer: string): Record<string, unknown> {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of ROUTES) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operationObject(route) };
  }
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
        ...Object.fromEntries(REQUEST_BODIES.map((body) => [body.name, jsonSchemaOf(body.schema)])),
        ...RESPONSE_SCHEMAS,
        ServerMetadata: serverMetadataSchema(),
      },
    },
  };
}
