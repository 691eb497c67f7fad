import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import { emfMetrics, publishMetrics } from '../../lambdas/adapters/aws/emf-metrics';
import { failRequest } from '../../lambdas/domain/requests/fail-request';
import { expireRequest } from '../../lambdas/domain/requests/expire-request';
import { NOW, fixedClock, pendingRequest, useDynaliteStore } from './support/fixtures';

/** The real Powertools Metrics instance, writing EMF to stdout; the real store on dynalite. */
let store: DynamoDbRequestStore;
useDynaliteStore((_, db) => (store = new DynamoDbRequestStore(db.client, db.tableName, emfMetrics)));
const clock = fixedClock();

let stdout: MockInstance<typeof process.stdout.write>;
beforeEach(() => {
  stdout = vi.spyOn(process.stdout, 'write');
});
afterEach(() => stdout.mockRestore());

interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}

/** The EMF documents written to stdout since the test started. */
function emfLines(): EmfLine[] {
  return stdout.mock.calls
    .map(([chunk]) => String(chunk))
    .filter((line) => line.includes('"CloudWatchMetrics"'))
    .map((line) => JSON.parse(line) as EmfLine);
}

describe('outcome metrics (EMF via Powertools, counted by the store)', () => {
  it('a request created under step-up publishes one RequestCreated line with its policy outcome', async () => {
    await store.create(pendingRequest());
    publishMetrics();
    const lines = emfLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'stepup',
            Dimensions: [['service', 'policyOutcome']],
            Metrics: [{ Name: 'RequestCreated' }],
          },
        ],
      },
      service: 'stepup',
      policyOutcome: 'step_up',
      RequestCreated: 1,
    });
  });

  it('an expiry that changes the request publishes exactly one RequestExpired line', async () => {
    const request = pendingRequest();
    await store.create(request);
    publishMetrics();
    stdout.mockClear();

    expect(await expireRequest({ store, clock }, request.id)).toEqual({ decision: 'EXPIRED' });
    publishMetrics();
    const lines = emfLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          { Namespace: 'stepup', Dimensions: [['service']], Metrics: [{ Name: 'RequestExpired' }] },
        ],
      },
      service: 'stepup',
      RequestExpired: 1,
    });
  });

  it('a request the workflow could not finish publishes exactly one RequestFailed line, a retry none', async () => {
    const request = pendingRequest();
    await store.create(request);
    publishMetrics();
    stdout.mockClear();

    expect(await failRequest({ store, clock }, request.id, 'Lambda.Unknown')).toMatchObject({
      changed: true,
    });
    expect(await failRequest({ store, clock }, request.id, 'Lambda.Unknown')).toMatchObject({
      changed: false,
    });
    publishMetrics();
    const lines = emfLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ RequestFailed: 1 });
  });

  it('a retried expiry finds nothing to change and publishes nothing', async () => {
    const request = pendingRequest({ status: 'EXPIRED', decidedAt: NOW.toISOString() });
    await store.create(request);
    publishMetrics();
    stdout.mockClear();

    expect(await expireRequest({ store, clock }, request.id)).toEqual({ decision: 'EXPIRED' });
    publishMetrics();
    expect(emfLines()).toEqual([]);
  });

  it('a write that loses the conditional check counts nothing; only the winner counts', async () => {
    const request = pendingRequest();
    await store.create(request);
    publishMetrics();
    stdout.mockClear();

    // Both expire the same read version; one write wins, the other loses the condition, re-reads
    // the expired request and has nothing left to do.
    await Promise.all([
      expireRequest({ store, clock }, request.id),
      expireRequest({ store, clock }, request.id),
    ]);
    publishMetrics();
    const lines = emfLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ RequestExpired: 1 });
  });
});
