import { readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { LOCAL_ISSUER, OPENAPI_VERSION, openApiDocument } from '../../lambdas/api/openapi';
import { createRequestBody, parseCreateRequest } from '../../lambdas/api/schemas/create-request';
import {
  introspectionRequestBody,
  parseIntrospectionRequest,
} from '../../lambdas/api/schemas/introspection-request';
import { parseRevokeRequest, revokeRequestBody } from '../../lambdas/api/schemas/revoke-request';
import { textPattern } from '../../lambdas/api/schemas/text-pattern';
import {
  parseTokenEndpointRequest,
  tokenEndpointRequestBody,
} from '../../lambdas/api/schemas/token-endpoint-request';
import {
  CIBA_GRANT_TYPE,
  DEFERRED_GRANT_TYPE,
  JWT_TOKEN_TYPE,
  TOKEN_EXCHANGE_GRANT_TYPE,
} from '../../lambdas/contract';
import type { StepUpError } from '../../lambdas/domain/errors';
import { requireText } from '../../lambdas/domain/config/validation';
import { OPENAPI_FILE, renderOpenApiFile } from '../../scripts/openapi-file';
import { OpenApiSchemas } from './support/openapi-schemas';

const document = openApiDocument(LOCAL_ISSUER);
const schemas = new OpenApiSchemas(document);

type Paths = Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>;
const paths = document.paths as Paths;

const accepts = (parse: (raw: unknown) => unknown, raw: unknown): boolean => {
  try {
    parse(raw);
    return true;
  } catch {
    return false;
  }
};

describe('the OpenAPI document', () => {
  it(`is a valid OpenAPI ${OPENAPI_VERSION} document`, async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('holds only valid JSON Schema 2020-12 (Ajv, strict mode): every component compiles', () => {
    const components = (document.components as { schemas: Record<string, unknown> }).schemas;
    expect(Object.keys(components).length).toBeGreaterThan(10);
    for (const name of Object.keys(components)) expect(() => schemas.component(name), name).not.toThrow();
  });

  it('holds only valid JSON Schema 2020-12 in every response too', () => {
    let count = 0;
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          const schema = (response as { content?: { 'application/json'?: { schema: unknown } } }).content?.[
            'application/json'
          ]?.schema;
          if (!schema) continue;
          count++;
          expect(() => schemas.compile(schema), `${method} ${path} ${status}`).not.toThrow();
        }
      }
    }
    expect(count).toBeGreaterThan(20);
  });

  it('is kept in the repo as docs/openapi.json, up to date (else: npm run openapi)', async () => {
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    const generated = await renderOpenApiFile();
    expect(JSON.parse(committed)).toEqual(JSON.parse(generated));
    expect(committed === generated, 'docs/openapi.json is formatted as npm run openapi writes it').toBe(true);
  });

  it('names the server it is served by', () => {
    expect(openApiDocument('https://abc.execute-api.eu-west-1.amazonaws.com').servers).toEqual([
      { url: 'https://abc.execute-api.eu-west-1.amazonaws.com' },
    ]);
  });

  it('lists the API and not the local-only routes', () => {
    expect(
      Object.entries(paths)
        .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
        .sort(),
    ).toEqual(
      [
        'post /v1/requests',
        'get /v1/requests/{id}',
        'post /v1/requests/{id}/cancel',
        'post /v1/requests/{id}/outcome',
        'get /v1/elevation-options',
        'post /mcp',
        'get /.well-known/oauth-protected-resource',
        'post /v1/token',
        'post /v1/introspect',
        'post /v1/credentials/aws',
        'post /v1/revoke',
        'get /v1/agents',
        'get /v1/audit/events',
        'post /access/v1/evaluation',
        'post /access/v1/evaluations',
        'get /.well-known/authzen-configuration',
        'get /.well-known/jwks.json',
        'get /.well-known/oauth-authorization-server',
        'get /openapi.json',
        'get /health',
        'post /slack/events',
        'get /approval/{link}',
        'post /approval/{link}',
        'get /approval-assets/{file}',
        'post /v1/passkeys/revoke',
      ].sort(),
    );
    const ids = Object.values(paths).flatMap((operations) =>
      Object.values(operations).map((o) => o.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents the workload JWT on the agent routes and none on the public ones', () => {
    expect(document.security).toEqual([{ workloadJwt: [] }]);
    expect(paths['/health']!.get).toMatchObject({ security: [] });
    expect(paths['/v1/requests']!.post).not.toHaveProperty('security');
    expect(paths['/v1/requests']!.post!.responses).toHaveProperty('401');
    expect(paths['/health']!.get!.responses).not.toHaveProperty('401');
  });

  it('takes the OAuth endpoints form-encoded too, the create as JSON only', () => {
    const types = (path: string) =>
      Object.keys((paths[path]!.post as { requestBody: { content: object } }).requestBody.content);
    expect(types('/v1/requests')).toEqual(['application/json']);
    for (const path of ['/v1/token', '/v1/introspect', '/v1/revoke']) {
      expect(types(path)).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    }
  });

  it('lists per route the error codes its handler answers, under their HTTP status', () => {
    const errorEnum = (path: string, method: string, status: string): unknown => {
      const response = paths[path]![method]!.responses![status] as {
        content: {
          'application/json': { schema: { properties: { error: { enum?: string[]; const?: string } } } };
        };
      };
      const error = response.content['application/json'].schema.properties.error;
      return error.enum ?? [error.const];
    };
    expect(errorEnum('/v1/token', 'post', '400')).toEqual([
      'invalid_request',
      'authorization_pending',
      'slow_down',
      'expired_token',
      'invalid_grant',
      'unsupported_grant_type',
      'transaction_failed',
    ]);
    expect(errorEnum('/v1/token', 'post', '403')).toEqual(['access_denied', 'unknown_agent']);
    expect(errorEnum('/v1/requests', 'post', '409')).toEqual(['conflict']);
    expect(errorEnum('/v1/requests', 'post', '503')).toEqual(['temporarily_unavailable']);
    expect(errorEnum('/v1/revoke', 'post', '403')).toEqual(['forbidden', 'unknown_agent']);
    expect(errorEnum('/v1/requests/{id}', 'get', '404')).toEqual(['not_found']);
  });

  it('documents unknown_agent (403) on every route behind the workload JWT, and on no other', () => {
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const security = (operation as { security?: unknown[] }).security;
        const authenticated = !security || security.length > 0;
        const forbidden = JSON.stringify(operation.responses?.['403'] ?? {});
        expect(forbidden.includes('unknown_agent'), `${method} ${path}`).toBe(
          authenticated && path !== '/slack/events',
        );
      }
    }
  });
});

/** A request body schema, the parse function its handler calls, and bodies both must judge alike. */
interface Agreement {
  readonly name: string;
  readonly parse: (raw: unknown) => unknown;
  readonly examples: readonly unknown[];
  readonly valid: readonly unknown[];
  readonly invalid: readonly unknown[];
}

const create = (overrides: Record<string, unknown>) => ({ ...createRequestBody.examples[0], ...overrides });
const ec = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
};
const token = { grant_type: CIBA_GRANT_TYPE, auth_req_id: 'abc_DEF-123.x' };
const deferredExchange = {
  grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
  completion_mode: 'deferred',
  subject_token: 'a.b.c',
  subject_token_type: JWT_TOKEN_TYPE,
  authorization_details: [
    { type: 'stepup_action', actions: ['db:DropTable'], identifier: 'prod/orders', locations: ['orders-db'] },
  ],
};
const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });

describe('dpop_jwk: what only the server can check (JSON Schema cannot)', () => {
  const validate = schemas.component(createRequestBody.name);
  it.each([
    ['an EC point off the curve', { ...ec, y: ec.x }],
    ['EC members that are no point at all', { ...ec, y: 'y'.repeat(1024) }],
    [
      'a 1024-bit RSA key',
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }),
    ],
    ['an RSA modulus of a few bytes', { kty: 'RSA', e: 'AQAB', n: 'sXchDaQebHnPiGvyDOAT4saGEUetSyo9' }],
  ])('refuses %s, which the schema lets through', (_name, jwk) => {
    expect(validate(create({ dpop_jwk: jwk }))).toBe(true);
    expect(accepts(parseCreateRequest, create({ dpop_jwk: jwk }))).toBe(false);
  });
});

const AGREEMENTS: readonly Agreement[] = [
  {
    name: createRequestBody.name,
    parse: parseCreateRequest,
    examples: createRequestBody.examples,
    valid: [
      create({ action: 'github-repo:merge_to.main' }),
      create({ action: `db:${'A'.repeat(125)}` }),
      create({ resource: '😀'.repeat(512) }),
      create({ resource: 'R&D/reports?x=1#y' }),
      create({ resource: '  padded  ' }),
      create({ audience: 'arn:aws:lambda:eu-west-1:123456789012:function:x' }),
      create({ justification: 'Line one.\nLine two.\r\n\tIndented.' }),
      create({ justification: '😀'.repeat(2000) }),
      create({ on_behalf_of: 'carol@example.com' }),
      create({ requested_ttl_seconds: 1 }),
      create({ requested_ttl_seconds: 3600 }),
      create({ context: {} }),
      create({ context: { ticket: 'x'.repeat(256), [`s${'x'.repeat(63)}`]: 'y', constructor: 'z' } }),
      create({ subject_token: 'a.b.c' }),
      create({ dpop_jwk: ec }),
      create({ dpop_jwk: { ...ec, kid: 'k1', alg: 'ES256', use: 'sig' } }),
      create({ dpop_jwk: rsa2048 }),
      create({ dpop_jwk: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' } }),
    ],
    invalid: [
      create({ resource: 'line\u2028separator' }),
      create({ resource: 'paragraph\u2029separator' }),
      null,
      'action=db:DropTable',
      [createRequestBody.examples[0]],
      42,
      ...['action', 'resource', 'audience', 'justification'].flatMap((field) => [
        create({ [field]: undefined }),
        create({ [field]: '' }),
        create({ [field]: '   ' }),
        create({ [field]: 42 }),
        create({ [field]: null }),
        create({ [field]: ['x'] }),
      ]),
      create({ approver: 'U0ALICE' }),
      create({ Action: 'db:DropTable' }),
      create({ action: 'DropTable' }),
      create({ action: '1db:DropTable' }),
      create({ action: 'db:Drop Table' }),
      create({ action: `db:${'A'.repeat(126)}` }),
      create({ resource: 'r'.repeat(513) }),
      create({ resource: '😀'.repeat(513) }),
      create({ resource: '<!channel>' }),
      create({ resource: 'table/orders\u202ekcab' }),
      create({ resource: 'table/\u0000orders' }),
      create({ resource: 'table/\u200borders' }),
      create({ resource: '\ufefftable' }),
      create({ resource: 'a\tb' }),
      create({ resource: 'a\nb' }),
      create({ audience: 'db admin' }),
      create({ audience: 'dbé' }),
      create({ audience: 'a'.repeat(257) }),
      create({ justification: '😀'.repeat(2001) }),
      create({ justification: ' \n\t ' }),
      create({ justification: 'approve \u2066deny' }),
      create({ on_behalf_of: null }),
      create({ on_behalf_of: 'carol\n' }),
      create({ on_behalf_of: 'x'.repeat(257) }),
      ...[0, -5, 3601, 1.5, '60', null].map((ttl) => create({ requested_ttl_seconds: ttl })),
      ...['risky', [1], null].map((context) => create({ context })),
      ...['Ticket', '2fa', '_x', 'change-ticket', '', `s${'x'.repeat(64)}`].map((key) =>
        create({ context: { [key]: 'x' } }),
      ),
      ...[42, true, null, { x: 1 }, '', ' ', 'a\nb', 'x\u202e', 'x'.repeat(257)].map((value) =>
        create({ context: { ticket: value } }),
      ),
      create({ subject_token: 'a.b' }),
      create({ subject_token: 'a.b.c.d' }),
      create({ subject_token: 'a.b.c=' }),
      create({ dpop_jwk: 'jwk' }),
      create({ dpop_jwk: null }),
      create({ dpop_jwk: [ec] }),
      create({ dpop_jwk: { ...ec, d: 'private' } }),
      create({ dpop_jwk: { ...ec, k: 'secret' } }),
      create({ dpop_jwk: { ...ec, kty: 'oct' } }),
      create({ dpop_jwk: { ...ec, kty: undefined } }),
      create({ dpop_jwk: { ...ec, y: undefined } }),
      create({ dpop_jwk: { ...ec, y: '' } }),
      create({ dpop_jwk: { ...ec, y: 5 } }),
      create({ dpop_jwk: { ...ec, y: 'y'.repeat(1025) } }),
      create({ dpop_jwk: { kty: 'RSA', e: 'AQAB' } }),
      create({ dpop_jwk: { kty: 'OKP', x: 'abc' } }),
      create({ dpop_jwk: { ...ec, crv: 'P-192' } }),
      create({ dpop_jwk: { kty: 'OKP', crv: 'X25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' } }),
    ],
  },
  {
    name: tokenEndpointRequestBody.name,
    parse: parseTokenEndpointRequest,
    examples: tokenEndpointRequestBody.examples,
    valid: [
      token,
      { ...token, auth_req_id: 'a'.repeat(64) },
      { grant_type: DEFERRED_GRANT_TYPE, deferral_code: 'abc', wait: 5 },
      deferredExchange,
      { ...deferredExchange, authorization_details: JSON.stringify(deferredExchange.authorization_details) },
    ],
    invalid: [
      {},
      { grant_type: DEFERRED_GRANT_TYPE, auth_req_id: 'abc' },
      { ...deferredExchange, completion_mode: 'immediate' },
      { ...deferredExchange, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token' },
      { ...deferredExchange, authorization_details: [] },
      {
        ...deferredExchange,
        authorization_details: [{ type: 'stepup_action', actions: [], identifier: 'r', locations: ['a'] }],
      },
      {
        ...deferredExchange,
        authorization_details: [{ type: 'other', actions: ['a:B'], identifier: 'r', locations: ['a'] }],
      },
      { auth_req_id: 'abc' },
      { ...token, grant_type: 'authorization_code' },
      { ...token, grant_type: CIBA_GRANT_TYPE.toUpperCase() },
      { grant_type: CIBA_GRANT_TYPE },
      { ...token, auth_req_id: 'a b' },
      { ...token, auth_req_id: 'a'.repeat(65) },
      { ...token, auth_req_id: '' },
      { ...token, scope: 'all' },
      'grant_type=x',
    ],
  },
  {
    name: introspectionRequestBody.name,
    parse: parseIntrospectionRequest,
    examples: introspectionRequestBody.examples,
    valid: [
      { token: 'a.b.c' },
      { token: 'a.b.c', token_type_hint: 'access_token' },
      // Ignored, so not checked either.
      { token: 'a.b.c', token_type_hint: 5 },
      { token: 'x'.repeat(8192) },
    ],
    invalid: [
      {},
      { token: '' },
      { token: 'x'.repeat(8193) },
      { token: 'a.b\u0000c' },
      { token: 'a.b.c', client_secret: 's' },
      { token_type_hint: 'access_token' },
      [],
    ],
  },
  {
    name: revokeRequestBody.name,
    parse: parseRevokeRequest,
    examples: revokeRequestBody.examples,
    valid: [{ token: 'a.b.c', token_type_hint: 'refresh_token' }, { agent: 'deploy-bot' }],
    invalid: [
      {},
      { token_type_hint: 'access_token' },
      { token: 'a.b.c', agent: 'deploy-bot' },
      { token: null },
      { token: '' },
      { agent: '' },
      { agent: 'x'.repeat(257) },
      { agent: 'deploy\nbot' },
      { token: 'x'.repeat(8193) },
      { token: 'a.b.c', extra: 1 },
    ],
  },
];

describe('each request schema judges bodies exactly as its parse function does', () => {
  for (const { name, parse, examples, valid, invalid } of AGREEMENTS) {
    describe(name, () => {
      const validate = schemas.component(name);
      const show = (raw: unknown) => JSON.stringify(raw)?.slice(0, 120);

      it('is the schema the document shows, with its examples', () => {
        expect(
          (document.components as { schemas: Record<string, { examples?: unknown }> }).schemas[name]!
            .examples,
        ).toEqual(examples);
        expect(examples.length).toBeGreaterThan(0);
      });

      it('accepts the examples and valid bodies, as the parser does', () => {
        for (const raw of [...examples, ...valid]) {
          expect(accepts(parse, raw), `parse ${show(raw)}`).toBe(true);
          expect(validate(raw), `schema ${show(raw)}: ${schemas.errorsOf(validate)}`).toBe(true);
        }
      });

      it('rejects what the parser rejects', () => {
        for (const raw of invalid) {
          expect(accepts(parse, raw), `parse ${show(raw)}`).toBe(false);
          expect(validate(raw), `schema ${show(raw)}`).toBe(false);
        }
      });
    });
  }
});

describe('parseRevokeRequest (declared by its schema)', () => {
  const messageOf = (raw: unknown) => {
    try {
      parseRevokeRequest(raw);
    } catch (error) {
      return [(error as StepUpError).code, (error as Error).message];
    }
    return undefined;
  };

  it('returns the token or the agent', () => {
    expect(parseRevokeRequest({ token: 'a.b.c', token_type_hint: 'access_token' })).toEqual({
      token: 'a.b.c',
    });
    expect(parseRevokeRequest({ agent: 'deploy-bot' })).toEqual({ agent: 'deploy-bot' });
  });

  it('keeps its messages', () => {
    const either = 'give either token (to revoke one token) or agent (kill switch)';
    expect(messageOf({})).toEqual(['invalid_request', either]);
    expect(messageOf({ token: 'a.b.c', agent: 'x' })).toEqual(['invalid_request', either]);
    expect(messageOf({ token: 'a', scope: 'x' })).toEqual([
      'invalid_request',
      '1 unknown field; the accepted fields are token, token_type_hint, agent',
    ]);
    expect(messageOf({ agent: ' ' })).toEqual([
      'invalid_request',
      'agent is required and must be a non-empty string',
    ]);
    expect(messageOf({ token: 'x'.repeat(8193) })).toEqual([
      'invalid_request',
      'token must be at most 8192 characters',
    ]);
    expect(messageOf('token=x')).toEqual(['invalid_request', 'request body must be a JSON object']);
  });
});

describe('the derived text pattern', () => {
  // Every code point, alone (blank or not) and after a letter (allowed or not), in both modes.
  const codePoints = [
    ...Array.from({ length: 0x10000 }, (_, i) => i),
    ...[0x10000, 0x1f600, 0x1d173, 0xe0000, 0xe0001, 0xe0041, 0xe007f, 0xe0100, 0xf0000, 0x10ffff],
  ];

  for (const multiline of [false, true]) {
    it(`agrees with the parser on every character (${multiline ? 'multiline' : 'single-line'})`, () => {
      // Draft 2020-12 reads patterns with the u flag (Ajv does): the refused astral ranges (unassigned,
      // private use, tags) cannot be written for a validator without it.
      const patterns = [new RegExp(textPattern(multiline), 'u')];
      const disagreements: string[] = [];
      for (const codePoint of codePoints) {
        const ch =
          codePoint >= 0xd800 && codePoint <= 0xdfff
            ? String.fromCharCode(codePoint)
            : String.fromCodePoint(codePoint);
        for (const text of [ch, `a${ch}`, `${ch}a`]) {
          const parsed = accepts((raw) => requireText(raw, 'f', { max: 10, multiline }), text);
          for (const pattern of patterns) {
            if (pattern.test(text) !== parsed)
              disagreements.push(`U+${codePoint.toString(16)} in ${JSON.stringify(text)}`);
          }
        }
      }
      expect(disagreements).toEqual([]);
    });
  }

  it('is the pattern of every free-text field, and anchored', () => {
    expect(textPattern(false)).toMatch(/^\^.*\$$/);
    const justification = (
      document.components as {
        schemas: { CreateRequest: { properties: Record<string, { pattern: string }> } };
      }
    ).schemas.CreateRequest.properties.justification!;
    expect(justification.pattern).toBe(textPattern(true));
  });
});
