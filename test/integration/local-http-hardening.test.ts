import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { rawGet, rawHttp, type RawAnswer } from './raw-http';
import { Api, startTestRuntime, testConfig } from './support';

const errorShape = { error: expect.any(String), error_description: expect.any(String) };

function json(answer: RawAnswer): unknown {
  return JSON.parse(answer.body) as unknown;
}

describe('the local server, tried as a hostile web page and a broken client would', () => {
  let runtime: LocalRuntime;
  let port: string;
  beforeAll(async () => {
    runtime = await startTestRuntime();
    port = new URL(runtime.url).port;
  });
  afterAll(() => runtime.stop());

  describe('Host check (DNS rebinding)', () => {
    it.each(['127.0.0.1', 'localhost', 'LOCALHOST', '[::1]'])(
      'serves Host %s with the port',
      async (name) => {
        const answer = await rawGet(runtime.url, '/health', [`Host: ${name}:${port}`]);
        expect(answer.status).toBe(200);
      },
    );

    it.each([
      ['a rebinding page', (p: string) => [`Host: attacker.example:${p}`]],
      ['a loopback name on another port', () => ['Host: 127.0.0.1:1']],
      ['a loopback name without the port', () => ['Host: localhost']],
      ['a name with userinfo', (p: string) => [`Host: x@localhost:${p}`]],
      ['no Host at all', () => []],
    ])('refuses %s with 421 in the error shape, echoing nothing', async (_case, headers) => {
      const answer = await rawGet(runtime.url, '/health', headers(port));
      expect(answer.status).toBe(421);
      expect(json(answer)).toEqual({ ...errorShape, error: 'invalid_request' });
      expect(answer.body).not.toContain('attacker');
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    });

    it('refuses a rebinding page before any route runs: no dev token is minted', async () => {
      const body = '{"sub":"evil"}';
      const answer = await rawHttp(
        runtime.url,
        `POST /dev/token HTTP/1.1\r\nHost: attacker.example:${port}\r\ncontent-type: application/json\r\n` +
          `content-length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(answer.status).toBe(421);
      expect(answer.body).not.toContain('access_token');
    });
  });

  describe('headers on every answer', () => {
    it('nosniff on API, dev, console and error answers; no-store on tokens and errors', async () => {
      const api = new Api(runtime);
      const agent = await runtime.devToken('hardening-bot');
      const answers = [
        await fetch(`${runtime.url}/health`),
        await fetch(`${runtime.url}/nothing-here`),
        await fetch(`${runtime.url}/console`),
        await fetch(`${runtime.url}/dev/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"sub":"hardening-bot"}',
        }),
        await fetch(`${runtime.url}/v1/token`, {
          method: 'POST',
          headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=urn:openid:params:grant-type:ciba&auth_req_id=AAAAAAAAAAAAAAAAAAAAAAAA',
        }),
      ];
      for (const answer of answers) expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      for (const answer of answers.slice(1)) expect(answer.headers.get('cache-control')).toBe('no-store');
      // A token answer is no-store (RFC 6749 §5.1), from the handler itself.
      const created = await api.postJson(
        '/v1/requests',
        { action: 'logs:Read', resource: 'prod/app', audience: 'logs', justification: 'read the logs' },
        agent,
      );
      expect(created.body).toMatchObject({ status: 'approved' });
      const requestId = created.body.auth_req_id as string;
      const issued = await fetch(`${runtime.url}/v1/token`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=urn:openid:params:grant-type:ciba&auth_req_id=${requestId}`,
      });
      expect(issued.status).toBe(200);
      expect(issued.headers.get('cache-control')).toBe('no-store');
      expect(issued.headers.get('x-content-type-options')).toBe('nosniff');
    });
  });

  describe('requests the HTTP layer cannot route', () => {
    const host = () => `Host: 127.0.0.1:${port}`;

    it('a request target that is no URL (GET //[) is a path like any other: 404, no 500', async () => {
      const answer = await rawGet(runtime.url, '//[', [host()]);
      expect(answer.status).toBe(404);
      expect(json(answer)).toEqual({ ...errorShape, error: 'not_found' });
    });

    it('an absolute-form target naming another authority → 400', async () => {
      const answer = await rawGet(runtime.url, 'http://attacker.example/health', [host()]);
      expect(answer.status).toBe(400);
      expect(json(answer)).toEqual({ ...errorShape, error: 'invalid_request' });
    });

    it('a header block over 16 KB → 431 in the error shape', async () => {
      const answer = await rawGet(runtime.url, '/health', [host(), `X-Padding: ${'a'.repeat(17 * 1024)}`]);
      expect(answer.status).toBe(431);
      expect(json(answer)).toEqual({ ...errorShape, error: 'invalid_request' });
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    });

    it('bytes that are not HTTP → 400 in the error shape', async () => {
      const answer = await rawHttp(runtime.url, 'HELLO\r\n\r\n');
      expect(answer.status).toBe(400);
      expect(json(answer)).toEqual({ ...errorShape, error: 'invalid_request' });
    });
  });
});

describe('STEPUP_PUBLIC_URL: a tunnel for real Slack', () => {
  let runtime: LocalRuntime;
  let port: string;
  beforeAll(async () => {
    runtime = await startLocalRuntime({
      memory: true,
      port: 0,
      config: testConfig(),
      env: { STEPUP_PUBLIC_URL: 'https://stepup-tunnel.example' },
    });
    port = new URL(runtime.url).port;
  });
  afterAll(() => runtime.stop());

  it('serves POST /slack/events at the public host (Slack signs it: unsigned → 401)', async () => {
    const answer = await rawHttp(
      runtime.url,
      'POST /slack/events HTTP/1.1\r\nHost: stepup-tunnel.example\r\n' +
        'content-type: application/x-www-form-urlencoded\r\ncontent-length: 9\r\nConnection: close\r\n\r\npayload=x',
    );
    expect(answer.status).toBe(401);
  });

  it.each(['/dev/jwks.json', '/health', '/console', '/v1/requests/x'])(
    'serves nothing else there: GET %s → 404',
    async (path) => {
      const answer = await rawGet(runtime.url, path, ['Host: stepup-tunnel.example']);
      expect(answer.status).toBe(404);
      expect(json(answer)).toEqual({ ...errorShape, error: 'not_found' });
    },
  );

  it('still serves everything at the loopback address', async () => {
    expect((await rawGet(runtime.url, '/dev/jwks.json', [`Host: localhost:${port}`])).status).toBe(200);
  });
});

describe('readiness: nothing answers 500 while starting', () => {
  it('/health and every route answer 503 temporarily_unavailable with Retry-After until started', async () => {
    const seen: Record<string, { status: number; retryAfter: string | null; body: unknown }> = {};
    const probe = async (url: string, path: string, init?: RequestInit) => {
      const response = await fetch(`${url}${path}`, init);
      seen[path] = {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        body: await response.json(),
      };
    };
    const runtime = await startTestRuntime(testConfig(), {
      onListening: async (url) => {
        await probe(url, '/health');
        await probe(url, '/dev/token', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"sub":"early-bot"}',
        });
        await probe(url, '/v1/requests', {
          method: 'POST',
          headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
          body: '{}',
        });
        await probe(url, '/v1/token', { method: 'POST', headers: { authorization: 'Bearer x' } });
      },
    });
    try {
      for (const answer of Object.values(seen)) {
        expect(answer).toEqual({
          status: 503,
          retryAfter: '1',
          body: { ...errorShape, error: 'temporarily_unavailable' },
        });
      }
      expect(Object.keys(seen)).toHaveLength(4);
      const health = await fetch(`${runtime.url}/health`);
      expect(health.status).toBe(200);
    } finally {
      await runtime.stop();
    }
  });
});
