/**
 * Introspection throughput against a bare DynamoDB conditional update, on the same dynalite, in one
 * run (design §9: introspection ≥ 70 % of the bare update).
 *
 *   npm run bench:introspection [-- --count 2000 --concurrency 8]
 */
import { performance } from 'node:perf_hooks';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDbRequestStore } from '../lambdas/adapters/aws/dynamodb-request-store';
import { Es256TokenVerifier } from '../lambdas/adapters/es256-token-verifier';
import { LocalKeySigner } from '../lambdas/adapters/local/local-key-signer';
import type { ApprovalRequest } from '../lambdas/domain/requests/approval-request';
import { newBindingCode, newJti, newRequestId } from '../lambdas/domain/ids';
import { introspectToken } from '../lambdas/domain/tokens/introspect-token';
import { systemClock } from '../lambdas/ports/clock';
import { spawn } from 'node:child_process';
import { connectLocalDynamoDb } from '../local/local-dynamodb';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const COUNT = arg('count', 4000);
const CONCURRENCY = arg('concurrency', 8);
const ISSUER = 'https://stepup.bench';

function deliveredRequest(now: Date): ApprovalRequest {
  const at = now.toISOString();
  const jti = newJti();
  const exp = Math.floor(now.getTime() / 1000) + 300;
  return {
    id: newRequestId(),
    agent: 'bench-bot',
    action: 'db:DropTable',
    resource: 'prod/orders',
    audience: 'orders-db',
    justification: 'bench',
    bindingCode: newBindingCode(),
    requestedTtlSeconds: 300,
    policyOutcome: 'step_up',
    requirements: {
      approverGroups: [['db-owners']],
      quorum: 1,
      approvalTimeoutSeconds: 900,
      maxTokenTtlSeconds: 300,
      policies: ['bench'],
    },
    status: 'APPROVED',
    createdAt: at,
    expiresAt: at,
    decidedAt: at,
    votes: [{ user: 'U0ALICE', team: 'T0BENCH', decision: 'approve', at }],
    grant: { jti, ttlSeconds: 300, issuedAt: at, pickupBy: at, authorizationDetails: [] },
    delivery: { jti, at, exp },
    events: [{ type: 'requested', at, actor: 'agent:bench-bot' }],
    version: 3,
  };
}

/** Runs `work(i)` for i in [0, count) with `concurrency` in flight; returns operations per second. */
async function throughput(count: number, work: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await work(next++);
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

/**
 * dynalite in its own process, as a database is never inside the Lambda that calls it: the
 * verifier's CPU and the database's do not share one JavaScript thread.
 */
async function startDynaliteProcess(): Promise<{ endpoint: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      "require('dynalite')({ createTableMs: 0 }).listen(0, '127.0.0.1', function () { console.log(this.address().port) })",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
  });
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

async function main(): Promise<void> {
  const dynalite = await startDynaliteProcess();
  const db = await connectLocalDynamoDb(dynalite.endpoint);
  const store = new DynamoDbRequestStore(db.client, db.tableName);
  const signer = await LocalKeySigner.open();
  const verifier = new Es256TokenVerifier(signer, ISSUER);
  const now = new Date();
  const nowEpoch = Math.floor(now.getTime() / 1000);

  console.log(
    `node ${process.version}; ${COUNT} operations per side, ${CONCURRENCY} in flight; dynalite in memory`,
  );
  process.stdout.write('preparing delivered tokens… ');
  const requests = Array.from({ length: COUNT * 2 }, () => deliveredRequest(now));
  for (const request of requests) await store.create(request);
  const tokens = await Promise.all(
    requests.slice(0, COUNT).map((r) =>
      signer.sign({
        iss: ISSUER,
        aud: r.audience,
        sub: r.agent,
        client_id: r.agent,
        iat: nowEpoch,
        exp: r.delivery!.exp,
        jti: r.grant!.jti,
        approval: { request_id: r.id },
      }),
    ),
  );
  console.log('done');

  // Warm both paths (JIT, the SDK's connection pool) before measuring.
  await introspectToken({ store, verifier, clock: systemClock }, 'orders-db', tokens[0]!);

  const bareUpdate = async (request: ApprovalRequest) => {
    await db.client.send(
      new UpdateItemCommand({
        TableName: db.tableName,
        Key: marshall({ pk: `REQUEST#${request.id}`, sk: 'REQUEST' }),
        UpdateExpression: 'SET consumedAt = :at',
        ConditionExpression: 'attribute_not_exists(consumedAt)',
        ExpressionAttributeValues: marshall({ ':at': now.toISOString() }),
      }),
    );
  };
  // Paired, alternating rounds; the median of the per-round ratios is the result, so warm-up, a
  // growing table and a noisy neighbour affect both sides of each pair alike.
  const ROUNDS = 8;
  const perRound = Math.floor((COUNT - 1) / ROUNDS);
  const ratios: number[] = [];
  const bares: number[] = [];
  const introspections: number[] = [];
  let active = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const base = 1 + round * perRound;
    const bareRound = await throughput(perRound, (i) => bareUpdate(requests[COUNT + base + i]!));
    const introspectionRound = await throughput(perRound, async (i) => {
      const answer = await introspectToken(
        { store, verifier, clock: systemClock },
        'orders-db',
        tokens[base + i]!,
      );
      if (answer.active) active++;
    });
    bares.push(bareRound);
    introspections.push(introspectionRound);
    ratios.push(introspectionRound / bareRound);
  }
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  const bare = median(bares);
  const introspection = median(introspections);
  await db.close();
  dynalite.stop();

  const ratio = median(ratios);
  console.log(`bare conditional UpdateItem       ${bare.toFixed(0)} ops/s (median of ${ROUNDS} rounds)`);
  console.log(
    `introspection (verify + consume) ${introspection.toFixed(0)} ops/s (median; ${active} of ${perRound * ROUNDS} active)`,
  );
  console.log(
    `ratio ${(ratio * 100).toFixed(0)} % (median of per-round ratios ${ratios.map((r) => (r * 100).toFixed(0)).join(' ')}; budget ≥ 70 %): ${ratio >= 0.7 ? 'within budget' : 'OVER BUDGET'}`,
  );
  if (ratio < 0.7 || active !== perRound * ROUNDS) process.exitCode = 1;
}

void main();
