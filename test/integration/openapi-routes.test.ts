import { beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../lambdas/api/openapi';
import { ROUTES } from '../../lambdas/api/routes';
import type { LocalRuntime } from '../../local/runtime';
import { OpenApiSchemas } from '../unit/support/openapi-schemas';
import { linkIn, passkeyPolicies } from '../helpers/passkey-policies';
import { SoftwareAuthenticator, pageOptions } from '../helpers/software-authenticator';
import { eventually, slackMessage, testConfig, useTestRuntime, type Api } from './support';

/** The document's view of one operation, as far as this test reads it. */
interface DocumentedOperation {
  readonly security?: readonly unknown[];
  readonly requestBody?: { readonly content: Readonly<Record<string, unknown>> };
  readonly responses: Readonly<
    Record<
      string,
      {
        readonly content?: { readonly 'application/json'?: { readonly schema: unknown } };
        readonly headers?: Readonly<Record<string, { readonly schema?: { readonly const?: string } }>>;
      }
    >
  >;
}

interface OpenApi {
  readonly servers: readonly { readonly url: string }[];
  readonly paths: Readonly<Record<string, Readonly<Record<string, DocumentedOperation>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, { readonly examples?: unknown[] }>> };
}

/** One live call: what was sent (for messages) and what came back. */
interface Call {
  readonly sent: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

const operator = 'sre-oncall';

describe('the OpenAPI document against the live routes', () => {
  let runtime: LocalRuntime;
  let agent: string;
  let document: OpenApi;
  let schemas: OpenApiSchemas;
  useTestRuntime((started) => ({ runtime, agent } = started), {
    ...testConfig(),
    operators: [operator],
    awsTargets: { 'aws:prod-data': { roleArn: 'arn:aws:iam::123456789012:role/stepup-prod-data' } },
  });

  // The passkey approval page needs a policy with @assurance("passkey"): a second runtime has one.
  let passkeyRuntime: LocalRuntime;
  let passkeyApi: Api;
  let passkeyAgent: string;
  useTestRuntime(
    (started) => ({ runtime: passkeyRuntime, api: passkeyApi, agent: passkeyAgent } = started),
    { ...testConfig(), operators: [operator] },
    { policiesDir: passkeyPolicies() },
  );

  const call = async (
    method: string,
    path: string,
    options: {
      bearer?: string;
      json?: unknown;
      form?: Record<string, string>;
      headers?: Record<string, string>;
      /** Another runtime than the main one (the passkey one). */
      base?: string;
    } = {},
  ): Promise<Call> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    }
    const response = await fetch(`${options.base ?? runtime.url}${path}`, { method, headers, body });
    return fromResponse(`${method} ${path} ${headers['content-type'] ?? ''} ${body ?? ''}`, response);
  };

  const fromResponse = async (sent: string, response: Response): Promise<Call> => {
    const text = await response.text();
    const json = (response.headers.get('content-type') ?? '').startsWith('application/json');
    return {
      sent,
      status: response.status,
      headers: response.headers,
      body: json && text ? JSON.parse(text) : text,
    };
  };

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${path}`,
        operation,
      })),
    );

  const examples = (schema: string) =>
    document.components.schemas[schema]!.examples as Record<string, unknown>[];

  beforeAll(async () => {
    const served = await call('GET', '/openapi.json');
    document = served.body as OpenApi;
    schemas = new OpenApiSchemas(document);
  });

  it('serves the document at /openapi.json for this server, cacheable', async () => {
    const served = await call('GET', '/openapi.json');
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('application/json');
    expect(served.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(document.servers).toEqual([{ url: runtime.url }]);
    expect(served.body).toEqual(openApiDocument(runtime.url));
  });

  it('lists every declared route, each served live with the auth it declares', async () => {
    const declared = ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(
      operations()
        .map(({ key }) => key)
        .sort(),
    ).toEqual([...declared].sort());
    for (const route of ROUTES) {
      const key = `${route.method} ${route.path}`;
      const operation = operations().find((o) => o.key === key)!.operation;
      // The document's default security is the workload JWT.
      expect(operation.security === undefined, key).toBe(route.auth.kind === 'workload');
      // Without a bearer token, the runtime refuses exactly the workload routes before any handler.
      const anonymous = await call(route.method, route.path.replace('{id}', 'no-such-id'));
      expect(anonymous.status === 401, `${key} → ${anonymous.status}`).toBe(route.auth.kind !== 'public');
      if (route.auth.kind === 'workload')
        expect((anonymous.body as { error?: string }).error, key).toBe('invalid_token');
    }
  });

  it('answers a valid request to every documented operation with a documented status and body', async () => {
    const calls = new Map<string, Call[]>();
    const record = (key: string, made: Call) => {
      calls.set(key, [...(calls.get(key) ?? []), made]);
      return made;
    };
    const resourceServer = await runtime.devToken('orders-db');
    const operatorToken = await runtime.devToken(operator);
    const [createExample, fullExample] = examples('CreateRequest');
    const grant = examples('TokenEndpointRequest')[0]!.grant_type as string;

    // Discovery and liveness: public.
    for (const path of [
      '/health',
      '/.well-known/jwks.json',
      '/.well-known/oauth-authorization-server',
      '/openapi.json',
      '/.well-known/authzen-configuration',
    ]) {
      record(`GET ${path}`, await call('GET', path));
    }

    // Create: step-up (202, with an Idempotency-Key), auto-approve (200), deny (403).
    const created = record(
      'POST /v1/requests',
      await call('POST', '/v1/requests', {
        bearer: agent,
        json: createExample,
        headers: { 'Idempotency-Key': 'openapi-routes-1' },
      }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const id = (created.body as { auth_req_id: string }).auth_req_id;
    record(
      'POST /v1/requests',
      await call('POST', '/v1/requests', { bearer: agent, json: { ...fullExample, action: 'logs:Read' } }),
    );
    record(
      'POST /v1/requests',
      await call('POST', '/v1/requests', {
        bearer: agent,
        json: { ...createExample, action: 'payments:Transfer', resource: 'prod/treasury' },
      }),
    );
    record('GET /v1/requests/{id}', await call('GET', `/v1/requests/${id}`, { bearer: agent }));

    // AuthZEN: one evaluation, a batch, and a batch without evaluations (answered as one).
    const [evaluationExample] = examples('AccessEvaluationRequest');
    const [evaluationsExample] = examples('AccessEvaluationsRequest');
    record(
      'POST /access/v1/evaluation',
      await call('POST', '/access/v1/evaluation', { bearer: agent, json: evaluationExample }),
    );
    record(
      'POST /access/v1/evaluations',
      await call('POST', '/access/v1/evaluations', { bearer: agent, json: evaluationsExample }),
    );
    record(
      'POST /access/v1/evaluations',
      await call('POST', '/access/v1/evaluations', { bearer: agent, json: evaluationExample }),
    );
    record(
      'POST /access/v1/evaluation',
      await call('POST', '/access/v1/evaluation', {
        bearer: agent,
        json: { ...evaluationExample, subject: { type: 'agent', id: 'someone-else' } },
      }),
    );

    // The elevation options: the declared actions, and what each needs on one resource.
    record('GET /v1/elevation-options', await call('GET', '/v1/elevation-options', { bearer: agent }));
    record(
      'GET /v1/elevation-options',
      await call('GET', '/v1/elevation-options?resource=prod%2Forders&audience=orders-db', { bearer: agent }),
    );

    // Remote MCP: initialize and a notification (stateless, JSON), and its RFC 9728 metadata.
    const mcpHeaders = { accept: 'application/json, text/event-stream' };
    record(
      'POST /mcp',
      await call('POST', '/mcp', {
        bearer: agent,
        headers: mcpHeaders,
        json: {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 't', version: '1' },
          },
        },
      }),
    );
    record(
      'POST /mcp',
      await call('POST', '/mcp', {
        bearer: agent,
        headers: mcpHeaders,
        json: { jsonrpc: '2.0', method: 'notifications/initialized' },
      }),
    );
    record(
      'GET /.well-known/oauth-protected-resource',
      await call('GET', '/.well-known/oauth-protected-resource'),
    );

    // Approve in Slack (a signed click to /slack/events), then collect, use and revoke the token.
    await slackMessage(runtime, id);
    record(
      'POST /slack/events',
      await fromResponse(
        'POST /slack/events (signed click)',
        await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' }),
      ),
    );
    const delivered = await eventually(async () => {
      const polled = record(
        'POST /v1/token',
        await call('POST', '/v1/token', { bearer: agent, form: { grant_type: grant, auth_req_id: id } }),
      );
      return polled.status === 200 ? polled : undefined;
    });
    const accessToken = (delivered.body as { access_token: string }).access_token;
    // JSON works too; the token was delivered already (400 invalid_grant, documented).
    record(
      'POST /v1/token',
      await call('POST', '/v1/token', { bearer: agent, json: { grant_type: grant, auth_req_id: id } }),
    );

    record(
      'POST /v1/introspect',
      await call('POST', '/v1/introspect', { bearer: resourceServer, json: { token: accessToken } }),
    );
    record(
      'POST /v1/introspect',
      await call('POST', '/v1/introspect', {
        bearer: resourceServer,
        form: { token: accessToken, token_type_hint: 'access_token' },
      }),
    );
    // The audience reports how the action ended (200), the same report again (200), another one (409).
    for (const outcome of [...examples('OutcomeRequest'), examples('OutcomeRequest')[0]!]) {
      record(
        'POST /v1/requests/{id}/outcome',
        await call('POST', `/v1/requests/${id}/outcome`, { bearer: resourceServer, json: outcome }),
      );
    }
    // The orders token is not for an AWS target (400 invalid_target, documented; nothing consumed).
    const exchangeExample = examples('AwsCredentialsRequest')[0]!;
    record(
      'POST /v1/credentials/aws',
      await call('POST', '/v1/credentials/aws', {
        bearer: agent,
        form: { ...(exchangeExample as Record<string, string>), subject_token: accessToken },
      }),
    );
    record(
      'POST /v1/revoke',
      await call('POST', '/v1/revoke', { bearer: agent, json: { token: accessToken } }),
    );
    record(
      'POST /v1/revoke',
      await call('POST', '/v1/revoke', { bearer: agent, form: { token: accessToken } }),
    );

    // An approved AWS call: its token exchanged once for credentials (200), then refused (400).
    const awsCall = await call('POST', '/v1/requests', {
      bearer: agent,
      json: {
        action: 'dynamodb:DeleteTable',
        resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders-legacy',
        audience: 'aws:prod-data',
        justification: 'the legacy table was migrated',
      },
    });
    const awsId = (awsCall.body as { auth_req_id: string }).auth_req_id;
    await slackMessage(runtime, awsId);
    await runtime.click({ requestId: awsId, user: 'U0ALICE', decision: 'approve' });
    const awsToken = await eventually(async () => {
      const polled = await call('POST', '/v1/token', {
        bearer: agent,
        form: { grant_type: grant, auth_req_id: awsId },
      });
      return polled.status === 200 ? (polled.body as { access_token: string }).access_token : undefined;
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      record(
        'POST /v1/credentials/aws',
        await call('POST', '/v1/credentials/aws', {
          bearer: agent,
          json: { ...exchangeExample, subject_token: awsToken },
        }),
      );
    }

    // Cancel a second request, then the operator's kill switch on the agent.
    const second = await call('POST', '/v1/requests', { bearer: agent, json: createExample });
    const secondId = (second.body as { auth_req_id: string }).auth_req_id;
    record(
      'POST /v1/requests/{id}/cancel',
      await call('POST', `/v1/requests/${secondId}/cancel`, { bearer: agent }),
    );
    await call('POST', '/v1/requests', { bearer: agent, json: createExample });
    record(
      'POST /v1/revoke',
      await call('POST', '/v1/revoke', { bearer: operatorToken, form: { agent: 'deploy-bot' } }),
    );
    // The passkey approval page: an approver enrols through the link a click gives, then votes.
    const passkeyRequest = await passkeyApi.createRequest(passkeyAgent, {
      action: 'secrets:Rotate',
      resource: 'prod/db-password',
    });
    await slackMessage(passkeyRuntime, passkeyRequest);
    const key = new SoftwareAuthenticator(passkeyRuntime.passkeyUrl);
    const linkOf = async (user: string) => {
      const slack = passkeyRuntime.slack;
      if (!slack) throw new Error('the Slack stand-in is needed');
      const before = slack.ephemerals.length;
      await passkeyRuntime.click({ requestId: passkeyRequest, user, decision: 'approve' });
      const url = linkIn(
        (await eventually(() => slack.ephemerals.slice(before).find((e) => e.user === user))).text,
      );
      return { url, path: new URL(url).pathname };
    };
    const onPasskeyRuntime = { base: passkeyRuntime.url };
    for (const ceremony of ['register', 'assert'] as const) {
      const link = await linkOf('U0ALICE');
      record('GET /approval/{link}', await call('GET', link.path, onPasskeyRuntime));
      const options = await pageOptions<never>(link.url);
      const response = ceremony === 'register' ? key.register(options) : key.assert(options);
      record(
        'POST /approval/{link}',
        await call('POST', link.path, { ...onPasskeyRuntime, json: { response } }),
      );
    }
    record('GET /approval/{link}', await call('GET', `/approval/${'A'.repeat(43)}`, onPasskeyRuntime));
    record(
      'GET /approval-assets/{file}',
      await call('GET', '/approval-assets/approval.css', onPasskeyRuntime),
    );
    record('GET /approval-assets/{file}', await call('GET', '/approval-assets/nothing.js', onPasskeyRuntime));
    const passkeyOperator = await passkeyRuntime.devToken(operator);
    for (const bearer of [passkeyOperator, passkeyAgent]) {
      record(
        'POST /v1/passkeys/revoke',
        await call('POST', '/v1/passkeys/revoke', { ...onPasskeyRuntime, bearer, json: { user: 'U0ALICE' } }),
      );
    }
    record('GET /v1/agents', await call('GET', '/v1/agents', { bearer: operatorToken }));
    record('GET /v1/agents', await call('GET', '/v1/agents', { bearer: agent }));
    record('GET /v1/audit/events', await call('GET', '/v1/audit/events', { bearer: operatorToken }));
    record('GET /v1/audit/events', await call('GET', '/v1/audit/events?limit=0', { bearer: operatorToken }));
    record('GET /v1/audit/events', await call('GET', '/v1/audit/events', { bearer: agent }));

    // Mistakes are documented too: no bearer token, and a body the schema refuses.
    for (const { key, operation } of operations()) {
      if (operation.security !== undefined) continue;
      const [method, path] = key.split(' ') as [string, string];
      record(
        key,
        await call(method, path.replace('{id}', id), { json: operation.requestBody ? {} : undefined }),
      );
    }
    record(
      'POST /v1/requests',
      await call('POST', '/v1/requests', { bearer: agent, json: { ...createExample, extra: 1 } }),
    );
    record('GET /v1/requests/{id}', await call('GET', '/v1/requests/no-such-id', { bearer: agent }));

    for (const { key, operation } of operations()) {
      const made = calls.get(key) ?? [];
      expect(made.length, `${key} was not called`).toBeGreaterThan(0);
      expect(
        made.some((c) => c.status >= 200 && c.status < 300),
        `${key}: no valid call succeeded: ${made.map((c) => `${c.status} ${JSON.stringify(c.body)}`).join('; ')}`,
      ).toBe(true);
      for (const c of made) {
        const documented = operation.responses[String(c.status)];
        expect(documented, `${c.sent} answered ${c.status}, not documented for ${key}`).toBeDefined();
        for (const [name, header] of Object.entries(documented!.headers ?? {})) {
          if (header.schema?.const)
            expect(c.headers.get(name), `${c.sent}: ${name}`).toBe(header.schema.const);
        }
        const schema = documented!.content?.['application/json']?.schema;
        if (!schema) continue;
        expect(c.headers.get('content-type'), c.sent).toBe('application/json');
        const validate = schemas.compile(schema);
        expect(
          validate(c.body),
          `${c.sent} → ${c.status} ${JSON.stringify(c.body)}: ${schemas.errorsOf(validate)}`,
        ).toBe(true);
      }
    }
  });
});
