import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { useTestRuntime } from './support';

/*
 * Seeded fuzzing of every route that reads a body, over HTTP against the local runtime: random JSON
 * shapes, random Unicode (lone surrogates, controls, invisible and private-use characters), repeated
 * member names, huge strings, broken syntax. Every answer must be < 500, every refusal must carry
 * {error, error_description} without echoing input, and a refused request must store nothing.
 * Reproducible: the seed is fixed (FUZZ_SEED, FUZZ_PER_ROUTE override it); a failure names the
 * per-body seed that regenerates it.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
// Over HTTP, about 200 requests a second here: 500 a route keeps the file near 12 s.
const PER_ROUTE = Number(process.env.FUZZ_PER_ROUTE ?? 500);
const CONCURRENCY = 8;
/** In every generated string and key: an error description containing it echoed input. */
const MARKER = 'Zq9';

/** mulberry32: a small, fast, seeded generator; plenty for choosing test inputs. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}
type Random = ReturnType<typeof generator>;

/** Characters a hostile sender likes: lone surrogates, controls, invisible, bidi, tags, fillers. */
const NASTY = [
  '\ud800',
  '\udfff',
  '\u0000',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00ad',
  '\u034f',
  '\u061c',
  '\u180e',
  '\u200b',
  '\u200d',
  '\u202e',
  '\u2066',
  '\u2028',
  '\u2029',
  '\u2800',
  '\u3164',
  '\u115f',
  '\ufeff',
  '\ufe0f',
  '\uffff',
  '\ue000',
  '\u{e0001}',
  '\u{e0041}',
  '\u{e007f}',
  '\u{10ffff}',
  'e\u0301',
  '\n',
  '\t',
  '<',
  '>',
  '&',
  '*',
  '_',
  '`',
  '"',
  '\\',
  '😀',
  'é',
  '注',
];

function randomString(random: Random): string {
  const parts = [MARKER];
  const length = random.next() < 0.02 ? 70_000 : random.int(24);
  if (length > 1000) return MARKER + 'x'.repeat(length);
  for (let i = 0; i < length; i++) {
    const roll = random.next();
    if (roll < 0.35) parts.push(random.pick(NASTY));
    else if (roll < 0.6) parts.push(String.fromCharCode(random.int(0x10000)));
    else if (roll < 0.7) parts.push(String.fromCodePoint(random.int(0x110000)));
    else parts.push(String.fromCharCode(0x20 + random.int(95)));
  }
  return parts.join('');
}

function randomValue(random: Random, depth: number, keys: readonly string[]): unknown {
  const roll = random.int(depth > 3 ? 5 : 8);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return random.next() < 0.5;
    case 2:
      return random.pick([0, -1, 1.5, 1e308, 3600, 2 ** 53 + 1]);
    case 3:
    case 4:
      return randomString(random);
    case 5:
      return Array.from({ length: random.int(4) }, () => randomValue(random, depth + 1, keys));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = random.int(6); i > 0; i--) {
        const key = random.next() < 0.7 ? random.pick(keys) : randomString(random).slice(0, 12);
        object[key] = randomValue(random, depth + 1, keys);
      }
      return object;
    }
  }
}

/** A body: mostly a mutated valid body, sometimes a random tree, broken syntax or a duplicate key. */
function randomBody(random: Random, valid: Record<string, unknown>): string {
  const keys = Object.keys(valid);
  const roll = random.next();
  if (roll < 0.05) return randomString(random).slice(0, 40);
  if (roll < 0.15) return JSON.stringify(randomValue(random, 0, keys)) ?? 'null';
  const body: Record<string, unknown> = { ...valid };
  for (let i = 1 + random.int(3); i > 0; i--) {
    const key = random.next() < 0.9 ? random.pick(keys) : `${MARKER}${random.int(1000)}`;
    // undefined: JSON.stringify leaves the member out.
    if (random.next() < 0.15) body[key] = undefined;
    else body[key] = random.next() < 0.7 ? randomString(random) : randomValue(random, 1, keys);
  }
  let text = JSON.stringify(body);
  if (random.next() < 0.1) {
    // A repeated member name: the last one carries the valid value, as an attacker would send it.
    const key = random.pick(keys);
    text = `{${JSON.stringify(key)}:${JSON.stringify(randomString(random))},${text.slice(1)}`;
  }
  if (random.next() < 0.03) text = text.slice(0, random.int(text.length));
  return text;
}

interface RouteCase {
  readonly name: string;
  readonly send: (random: Random) => Promise<Response>;
}

describe('fuzz: hostile bodies on every body-reading route', () => {
  let runtime: LocalRuntime;
  let agent: string;
  useTestRuntime((started) => ({ runtime, agent } = started));

  const post = (path: string, body: string, type = 'application/json') =>
    fetch(`${runtime.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': type, authorization: `Bearer ${agent}` },
      body,
    });
  const form = (random: Random, valid: Record<string, string>) => {
    const fields = new URLSearchParams();
    for (const [key, value] of Object.entries(valid)) {
      fields.append(key, random.next() < 0.5 ? randomString(random) : value);
      if (random.next() < 0.1) fields.append(key, value);
    }
    if (random.next() < 0.2) fields.append(randomString(random).slice(0, 10), randomString(random));
    return fields.toString();
  };

  const create = {
    action: 'logs:Read',
    resource: 'prod/orders',
    audience: 'orders-db',
    justification: 'read the logs',
    on_behalf_of: 'carol@example.com',
    context: { ticket: 'CHG-7' },
    requested_ttl_seconds: 60,
    dpop_jwk: {
      kty: 'EC',
      crv: 'P-256',
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    },
  };
  const token = { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: 'AAAAAAAAAAAAAAAAAAAAAAAA' };

  const routes: readonly RouteCase[] = [
    { name: 'POST /v1/requests', send: (random) => post('/v1/requests', randomBody(random, create)) },
    {
      name: 'POST /v1/token',
      send: (random) =>
        random.next() < 0.5
          ? post('/v1/token', form(random, token), 'application/x-www-form-urlencoded')
          : post('/v1/token', randomBody(random, token)),
    },
    {
      name: 'POST /v1/introspect',
      send: (random) =>
        random.next() < 0.5
          ? post('/v1/introspect', form(random, { token: 'a.b.c' }), 'application/x-www-form-urlencoded')
          : post('/v1/introspect', randomBody(random, { token: 'a.b.c', token_type_hint: 'access_token' })),
    },
    {
      name: 'POST /v1/revoke',
      send: (random) => post('/v1/revoke', randomBody(random, { token: 'a.b.c', token_type_hint: 'x' })),
    },
    {
      name: 'POST /slack/events',
      send: (random) => {
        const payload = randomBody(random, {
          type: random.pick(['block_actions', 'view_submission', 'view_closed', 'shortcut']),
          user: { id: 'U0ALICE', team_id: 'T0LOCAL' },
          team: { id: 'T0LOCAL' },
          trigger_id: 't',
          actions: [{ action_id: random.pick(['stepup_approve', 'stepup_deny']), value: 'x' }],
          view: { callback_id: 'stepup_deny_reason', private_metadata: '{}', state: { values: {} } },
        });
        const body =
          random.next() < 0.9
            ? new URLSearchParams({ payload }).toString()
            : randomString(random).slice(0, 30);
        const signed = runtime.slack!.signed(body);
        return fetch(`${runtime.url}/slack/events`, { method: 'POST', headers: signed.headers, body });
      },
    },
  ];

  const table = async () =>
    (
      await runtime.dynamo.client.send(
        new ScanCommand({ TableName: runtime.dynamo.tableName, ConsistentRead: true }),
      )
    ).Items ?? [];

  it(`answers ${PER_ROUTE} bodies per route (seed ${SEED}) below 500, in the error shape, storing only what it accepted`, async () => {
    const before = await table();
    const counts: Record<string, Record<number, number>> = {};
    const failures: string[] = [];
    let created = 0;
    for (const [index, route] of routes.entries()) {
      const random = generator(SEED + index);
      const bodies = Array.from({ length: PER_ROUTE }, () => random.next());
      const tally: Record<number, number> = {};
      counts[route.name] = tally;
      let next = 0;
      const worker = async () => {
        while (next < bodies.length) {
          const seed = bodies[next++]! * 2 ** 32;
          const response = await route.send(generator(seed));
          const text = await response.text();
          tally[response.status] = (tally[response.status] ?? 0) + 1;
          if (route.name === 'POST /v1/requests' && response.status < 300) created++;
          const refused = response.status >= 400;
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = text;
          }
          const shaped =
            !refused ||
            (typeof body === 'object' &&
              body !== null &&
              typeof (body as { error?: unknown }).error === 'string' &&
              typeof (body as { error_description?: unknown }).error_description === 'string');
          if (response.status >= 500 || !shaped || (refused && text.includes(MARKER))) {
            failures.push(`${route.name} seed ${seed}: ${response.status} ${text.slice(0, 200)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    }
    console.log(`fuzz seed ${SEED}, ${PER_ROUTE} per route:`, JSON.stringify(counts));
    expect(failures.slice(0, 10)).toEqual([]);
    // Every request stored before is untouched; the only new requests are the accepted creates (the
    // agent's history counters beside them change with each accepted create, by design).
    const requests = (items: Awaited<ReturnType<typeof table>>) =>
      items.filter((item) => item.pk?.S?.startsWith('REQUEST#')).map((item) => JSON.stringify(item));
    const after = requests(await table());
    const ids = new Set(requests(before));
    expect(requests(before).every((item) => after.includes(item))).toBe(true);
    expect(after.filter((item) => !ids.has(item)).length).toBe(created);
    expect(
      (await table()).every((item) =>
        /^(REQUEST#|HISTORY#|AGENTS$|KILLSWITCH#|IDEMPOTENCY#)/.test(item.pk?.S ?? ''),
      ),
    ).toBe(true);
  });
});
