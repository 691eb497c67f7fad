import { describe, expect, it } from 'vitest';
import { PollingRequestChanges } from '../../lambdas/adapters/aws/polling-request-changes';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import { InProcessRequestChanges } from '../../lambdas/adapters/local/in-process-request-changes';
import type { RequestChanges } from '../../lambdas/ports/request-changes';
import type { RequestStore } from '../../lambdas/ports/request-store';
import type { LocalDynamoDb } from '../../local/local-dynamodb';
import { storePendingRequest, useDynaliteStore } from './support/fixtures';

/** Each adapter, over the same dynalite table: the store every writer uses, and the changes. */
const adapters: [
  string,
  (store: DynamoDbRequestStore, db: LocalDynamoDb) => { store: RequestStore; changes: RequestChanges },
][] = [
  [
    'PollingRequestChanges (AWS)',
    (store, db) => ({ store, changes: new PollingRequestChanges(db.client, db.tableName) }),
  ],
  [
    'InProcessRequestChanges (local)',
    (store) => {
      const changes = new InProcessRequestChanges();
      return { store: changes.watch(store), changes };
    },
  ],
];

describe.each(adapters)('%s', (_name, make) => {
  let store: RequestStore;
  let changes: RequestChanges;
  useDynaliteStore((dynamoStore, db) => ({ store, changes } = make(dynamoStore, db)));

  const farAway = () => new Date(Date.now() + 60_000);

  it('resolves once the request is written past the version the caller read', async () => {
    const request = await storePendingRequest(store);
    let woken = false;
    const waiting = changes.changedSince(request.id, request.version, farAway()).then(() => (woken = true));
    expect(woken).toBe(false);
    await store.save(request, { ...request, version: request.version + 1, justification: 'changed' });
    await waiting;
    expect(woken).toBe(true);
  });

  it('resolves at once when the write came before the call (nothing is missed)', async () => {
    const request = await storePendingRequest(store);
    await store.save(request, { ...request, version: request.version + 1, justification: 'changed' });
    await changes.changedSince(request.id, request.version, farAway());
  });

  it('resolves when the time runs out without a change', async () => {
    const request = await storePendingRequest(store);
    await changes.changedSince(request.id, request.version, new Date(Date.now() + 300));
    expect((await store.get(request.id))?.version).toBe(request.version);
  });
});
