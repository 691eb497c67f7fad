import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { Api, useTestRuntime } from './support';

describe('Idempotency-Key on POST /v1/requests', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  useTestRuntime((started) => ({ runtime, api, agent } = started));

  const body = {
    action: 'db:DropTable',
    resource: 'prod/orders',
    audience: 'orders-db',
    justification: 'retry me',
  };
  const create = (key: string, payload: unknown = body, bearer = agent) =>
    fetch(`${runtime.url}/v1/requests`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${bearer}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify(payload),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  it('answers a retry with the same key and body exactly as the first call, creating one request', async () => {
    const first = await create('retry-1');
    const again = await create('retry-1', { ...body });
    expect(first.status).toBe(202);
    expect(again).toMatchObject({
      status: 202,
      body: { auth_req_id: first.body.auth_req_id, binding_code: first.body.binding_code },
    });
    expect(await runtime.store.listByAgent('deploy-bot')).toEqual([first.body.auth_req_id]);
  });

  it('refuses the same key with a different body (409), storing nothing new', async () => {
    await create('retry-2');
    const before = (await runtime.store.listByAgent('deploy-bot')).length;
    const changed = await create('retry-2', { ...body, resource: 'prod/customers' });
    expect(changed).toMatchObject({ status: 409, body: { error: 'conflict' } });
    expect((await runtime.store.listByAgent('deploy-bot')).length).toBe(before);
  });

  it('refuses the same key with other parameters (409): the arguments are part of the request', async () => {
    const first = await create('retry-params', { ...body, parameters: { sql: 'DROP TABLE orders' } });
    expect(first.status).toBe(202);
    const same = await create('retry-params', { ...body, parameters: { sql: 'DROP TABLE orders' } });
    expect(same.body.auth_req_id).toBe(first.body.auth_req_id);
    const before = (await runtime.store.listByAgent('deploy-bot')).length;
    const changed = await create('retry-params', { ...body, parameters: { sql: 'DROP TABLE customers' } });
    expect(changed).toMatchObject({ status: 409, body: { error: 'conflict' } });
    expect((await runtime.store.listByAgent('deploy-bot')).length).toBe(before);
  });

  it('10 concurrent creates with one key make exactly one request', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => create('retry-3', { ...body, justification: 'race' })),
    );
    const ids = new Set(answers.map((a) => a.body.auth_req_id));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect(ids.size).toBe(1);
  });

  it('keeps keys per agent, and replays a policy denial as the same 403', async () => {
    const other = await runtime.devToken('other-bot');
    const mine = await create('shared-key');
    const theirs = await create('shared-key', body, other);
    expect(theirs.body.auth_req_id).not.toBe(mine.body.auth_req_id);
    const forbidden = { ...body, action: 'payments:Transfer', resource: 'prod/treasury' };
    const denied = await create('denied-1', forbidden);
    expect(await create('denied-1', forbidden)).toEqual(denied);
    expect(denied.status).toBe(403);
  });

  it('rejects a malformed key', async () => {
    expect((await create('has space')).status).toBe(400);
    expect(await api.get('/health')).toMatchObject({ status: 200 });
  });
});
