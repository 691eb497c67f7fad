import { describe, expect, it } from 'vitest';
import {
  bodyOf,
  callerOf,
  bearerChallenge,
  errorResult,
  json,
  type HttpEvent,
} from '../../lambdas/adapters/api-gateway/http-event';
import { StepUpError } from '../../lambdas/domain/errors';
import { expectStepUpError, thrownBy } from './support/fixtures';

const FORM = 'application/x-www-form-urlencoded';

/** An HTTP API (payload v2) event after the JWT authorizer. */
function event(
  options: {
    body?: string;
    contentType?: string;
    headers?: Record<string, string>;
    base64?: boolean;
    claims?: Record<string, string | number | boolean | string[]>;
  } = {},
): HttpEvent {
  const headers: Record<string, string> = { ...options.headers };
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  return {
    version: '2.0',
    routeKey: 'POST /v1/token',
    rawPath: '/v1/token',
    rawQueryString: '',
    headers,
    body: options.body,
    isBase64Encoded: options.base64 ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example',
      domainPrefix: 'api',
      http: {
        method: 'POST',
        path: '/v1/token',
        protocol: 'HTTP/1.1',
        sourceIp: '10.0.0.1',
        userAgent: 'test',
      },
      requestId: 'req-1',
      routeKey: 'POST /v1/token',
      stage: '$default',
      time: '02/Jan/2030:03:04:05 +0000',
      timeEpoch: 1_893_553_445_000,
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: options.claims ?? {}, scopes: [] },
      },
    },
  };
}

function invalid(fn: () => unknown, mentions: string): void {
  expectStepUpError(thrownBy(fn), 'invalid_request', 400, mentions);
}

describe('bodyOf: JSON', () => {
  it('parses a JSON body, with or without a charset, in any header case', () => {
    expect(bodyOf(event({ contentType: 'application/json', body: '{"a":1}' }))).toEqual({ a: 1 });
    expect(bodyOf(event({ contentType: 'application/json; charset=utf-8', body: '[1]' }))).toEqual([1]);
    expect(bodyOf(event({ headers: { 'Content-Type': 'Application/JSON' }, body: '"x"' }))).toBe('x');
  });

  it('decodes a base64 body as UTF-8', () => {
    const body = Buffer.from(JSON.stringify({ justification: 'Größe 🔥' }), 'utf8').toString('base64');
    expect(bodyOf(event({ contentType: 'application/json', body, base64: true }))).toEqual({
      justification: 'Größe 🔥',
    });
  });

  it('rejects invalid JSON and an empty body', () => {
    invalid(() => bodyOf(event({ contentType: 'application/json', body: '{"a":' })), 'not valid JSON');
    invalid(() => bodyOf(event({ contentType: 'application/json' })), 'not valid JSON');
  });

  it('rejects a member name repeated in one object, at any depth, compared decoded', () => {
    for (const body of [
      '{"action":"db:DropTable","action":"logs:Read"}',
      '{"action":"db:DropTable","\\u0061ction":"logs:Read"}',
      '{"context":{"ticket":"a","ticket":"b"}}',
      '{"dpop_jwk":{"kty":"EC","x":"a","x":"b"}}',
      '[{"a":1},{"b":2,"b":3}]',
      '{"__proto__":1,"__proto__":2}',
    ]) {
      invalid(() => bodyOf(event({ contentType: 'application/json', body })), 'repeats a member name');
    }
  });

  it('accepts the same name in different objects, and keeps __proto__ an own member', () => {
    const body = '{"a":{"x":1},"b":{"x":2},"c":[{"x":3},{"x":4}],"__proto__":{"polluted":true}}';
    const parsed = bodyOf(event({ contentType: 'application/json', body })) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['a', 'b', 'c', '__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers absurd nesting with 400, never a stack overflow', () => {
    const body = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    invalid(() => bodyOf(event({ contentType: 'application/json', body })), 'nests too deeply');
  });

  it('rejects form bodies where only JSON is allowed', () => {
    invalid(() => bodyOf(event({ contentType: FORM, body: 'a=1' })), 'Content-Type must be application/json');
  });

  it('rejects other and missing content types, naming what is accepted', () => {
    for (const contentType of [
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      undefined,
    ]) {
      invalid(() => bodyOf(event({ contentType, body: '{}' })), 'Content-Type must be application/json');
    }
    invalid(
      () => bodyOf(event({ contentType: 'text/plain', body: '{}' }), true),
      'application/json or application/x-www-form-urlencoded',
    );
  });
});

describe('bodyOf: forms (OAuth endpoints)', () => {
  it('parses form fields into strings where forms are allowed', () => {
    const body = 'grant_type=urn%3Aopenid%3Aparams%3Agrant-type%3Aciba&auth_req_id=abc+def';
    expect(bodyOf(event({ contentType: `${FORM}; charset=UTF-8`, body }), true)).toEqual({
      grant_type: 'urn:openid:params:grant-type:ciba',
      auth_req_id: 'abc def',
    });
  });

  it('still accepts JSON where forms are allowed', () => {
    expect(bodyOf(event({ contentType: 'application/json', body: '{"token":"t"}' }), true)).toEqual({
      token: 't',
    });
  });

  it('rejects a field that appears twice', () => {
    invalid(
      () => bodyOf(event({ contentType: FORM, body: 'token=a&token=b' }), true),
      'a form field appears more than once',
    );
  });

  it('does not take a single field named like an Object.prototype member for a duplicate', () => {
    expect(bodyOf(event({ contentType: FORM, body: 'token=a&constructor=x' }), true)).toEqual({
      token: 'a',
      constructor: 'x',
    });
    for (const name of ['toString', 'hasOwnProperty', 'valueOf']) {
      expect(bodyOf(event({ contentType: FORM, body: `${name}=x` }), true)).toEqual({ [name]: 'x' });
      invalid(
        () => bodyOf(event({ contentType: FORM, body: `${name}=x&${name}=y` }), true),
        'a form field appears more than once',
      );
    }
  });

  it('decodes a base64 form body', () => {
    const body = Buffer.from('token=a.b.c').toString('base64');
    expect(bodyOf(event({ contentType: FORM, body, base64: true }), true)).toEqual({ token: 'a.b.c' });
  });
});

describe('bodyOf: size limit', () => {
  it('accepts 64 KiB and rejects one byte more', () => {
    const fits = JSON.stringify({ j: 'x'.repeat(64 * 1024 - 8) });
    expect(Buffer.byteLength(fits)).toBe(64 * 1024);
    expect(bodyOf(event({ contentType: 'application/json', body: fits }))).toEqual(JSON.parse(fits));
    const over = JSON.stringify({ j: 'x'.repeat(64 * 1024 - 7) });
    invalid(() => bodyOf(event({ contentType: 'application/json', body: over })), 'at most 65536 bytes');
  });

  it('counts bytes, not characters', () => {
    const body = JSON.stringify({ j: '€'.repeat(22_000) }); // 66,000 bytes in 22,010 characters
    invalid(() => bodyOf(event({ contentType: 'application/json', body })), 'at most 65536 bytes');
  });

  it('applies the limit after base64 decoding, and to forms', () => {
    const body = Buffer.from(`token=${'x'.repeat(70_000)}`).toString('base64');
    invalid(() => bodyOf(event({ contentType: FORM, body, base64: true }), true), 'at most 65536 bytes');
  });
});

describe('callerOf', () => {
  it('returns the sub the JWT authorizer verified', () => {
    expect(callerOf(event({ claims: { sub: 'deploy-bot', iss: 'https://issuer.example' } }))).toBe(
      'deploy-bot',
    );
  });

  it('answers invalid_token (401) without claims, without sub, or with an empty sub', () => {
    const noAuthorizer = event();
    delete (noAuthorizer.requestContext as { authorizer?: unknown }).authorizer;
    for (const candidate of [noAuthorizer, event({ claims: {} }), event({ claims: { sub: '' } })]) {
      expectStepUpError(
        thrownBy(() => callerOf(candidate)),
        'invalid_token',
        401,
      );
    }
  });
});

describe('callerOf: the sub is text approvers will read', () => {
  it.each([
    ['a newline that would forge a line in Slack', 'deploy-bot\nApproved by: security'],
    ['a lone surrogate', 'bot\ud800'],
    ['a right-to-left override', 'bot\u202e'],
    ['a tag character', 'bot\u{e0041}'],
    ['a decomposed (non-NFC) form, which would be rewritten', 'cafe\u0301'],
    ['257 characters', 'b'.repeat(257)],
  ])('refuses %s with invalid_token (401)', (_name, sub) => {
    const error = expectStepUpError(
      thrownBy(() => callerOf(event({ claims: { sub } }))),
      'invalid_token',
      401,
    );
    expect(error.message).not.toContain(sub);
  });

  it('keeps an NFC sub with non-ASCII letters as it is', () => {
    expect(callerOf(event({ claims: { sub: 'caf\u00e9-bot' } }))).toBe('caf\u00e9-bot');
  });
});

describe('errorResult', () => {
  const parse = (result: ReturnType<typeof errorResult>) => JSON.parse(String(result.body)) as unknown;

  it('maps a 4xx StepUpError to its status and {error, error_description}, without logging', () => {
    const logged: unknown[] = [];
    const result = errorResult(new StepUpError('invalid_grant', 'unknown auth_req_id'), (e) =>
      logged.push(e),
    );
    expect(result.statusCode).toBe(400);
    expect(parse(result)).toEqual({ error: 'invalid_grant', error_description: 'unknown auth_req_id' });
    expect(result.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    expect(logged).toEqual([]);
  });

  it('merges the error’s details into the body, never over error and error_description', () => {
    const error = new StepUpError('access_denied', 'forbidden by policy "p"', {
      auth_req_id: 'req-1',
      policies: ['p'],
      error: 'spoofed',
      error_description: 'spoofed',
    });
    const result = errorResult(error, () => undefined);
    expect(result.statusCode).toBe(403);
    expect(parse(result)).toEqual({
      auth_req_id: 'req-1',
      policies: ['p'],
      error: 'access_denied',
      error_description: 'forbidden by policy "p"',
    });
  });

  it('adds a Bearer challenge to 401s, with the description in the characters RFC 6750 allows', () => {
    const result = errorResult(new StepUpError('invalid_token', 'no token'), () => undefined);
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="no token"',
    );
    expect(bearerChallenge('invalid_token', 'a "quoted" \\ é\n')).toBe(
      'Bearer error="invalid_token", error_description="a ?quoted? ? ??"',
    );
  });

  it('never leaks the message or stack of an unexpected error: opaque server_error, logged', () => {
    const logged: unknown[] = [];
    const internal = new Error(
      'ConditionalCheckFailed on table stepup-prod with key REQUEST#abc, password=hunter2',
    );
    const result = errorResult(internal, (e) => logged.push(e));
    expect(result.statusCode).toBe(500);
    expect(parse(result)).toEqual({
      error: 'server_error',
      error_description: 'an internal error occurred; it has been logged',
    });
    expect(result.body).not.toContain('hunter2');
    expect(result.body).not.toContain('stepup-prod');
    expect(result.body).not.toContain('at ');
    expect(logged).toEqual([internal]);
  });

  it('treats thrown non-errors the same way', () => {
    for (const thrown of ['a string with secrets', { secret: 1 }, undefined, null]) {
      const result = errorResult(thrown, () => undefined);
      expect(result.statusCode).toBe(500);
      expect(parse(result)).toEqual({
        error: 'server_error',
        error_description: 'an internal error occurred; it has been logged',
      });
    }
  });

  it('logs a 5xx StepUpError and returns its stable code', () => {
    const logged: unknown[] = [];
    const error = new StepUpError('temporarily_unavailable', 'could not start the approval workflow');
    const result = errorResult(error, (e) => logged.push(e));
    expect(result.statusCode).toBe(503);
    expect(parse(result)).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'could not start the approval workflow',
    });
    expect(logged).toEqual([error]);
  });
});

describe('json', () => {
  it('returns a no-store JSON response, with extra headers merged', () => {
    expect(json(202, { ok: true }, { location: '/v1/requests/x' })).toEqual({
      statusCode: 202,
      headers: {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        location: '/v1/requests/x',
      },
      body: '{"ok":true}',
    });
  });
});

describe('bodyOf: a form field named __proto__', () => {
  it('keeps or rejects it, never drops it', async () => {
    const { bodyOf } = await import('../../lambdas/adapters/api-gateway/http-event');
    const event = (body: string) =>
      ({
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        isBase64Encoded: false,
      }) as never;
    expect(() => bodyOf(event('__proto__=a&__proto__=b'), true)).toThrow(/appears more than once/);
  });
});
