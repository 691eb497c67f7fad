/**
 * Work that must not grow with history (issue 12 item 13), through the local runtime over HTTP:
 *
 * 1. the operator kill switch (`POST /v1/revoke {agent}`) for an agent with 10,000 stored requests,
 *    most of them finished, some pending, some grants unused: its time and DynamoDB operations;
 * 2. a restart with 1,000 pending requests (and 9,000 finished ones): the time from starting the
 *    runtime to the first answer of an authenticated route.
 *
 * For comparison, each also times reading the whole history once (what the kill switch did twice
 * per request, and the restart's table scan did once).
 *
 *   npm run bench:killswitch [-- --stored 10000 --pending 100 --unused 100 --restart-pending 1000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { paginateScan, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfigFile } from '../lambdas/adapters/config-file';
import type { ApprovalRequest, SlackMessageRef } from '../lambdas/domain/requests/approval-request';
import { newBindingCode, newJti, newRequestId } from '../lambdas/domain/ids';
import { startLocalRuntime, type LocalRuntime } from '../local/runtime';
import { counted } from './support/counted-commands';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const STORED = arg('stored', 10_000);
const PENDING = arg('pending', 100);
const UNUSED = arg('unused', 100);
const RESTART_PENDING = arg('restart-pending', 1000);
const OPERATOR = 'bench-operator';
const AGENT = 'bench-rogue';
const SEED_CONCURRENCY = 16;
/** The bot token the runtime gives its Slack stand-in when no Slack credentials are set. */
const STAND_IN_BOT_TOKEN = 'xoxb-stepup-local-stand-in';

type Kind = 'pending' | 'unused' | 'consumed' | 'denied' | 'expired';

/** Posts an approval message to the stand-in, so that updating it later works as in Slack. */
function post(runtime: LocalRuntime): SlackMessageRef {
  const answer = runtime.slack!.handleApiCall('chat.postMessage', `Bearer ${STAND_IN_BOT_TOKEN}`, {
    channel: 'C0APPROVALS',
    text: 'bench approval request',
    blocks: [],
  });
  return { channel: 'C0APPROVALS', ts: answer.body.ts as string };
}

function request(kind: Kind, agent: string, index: number, slackMessage: SlackMessageRef): ApprovalRequest {
  const now = Date.now();
  const at = new Date(now - (STORED - index) * 1000).toISOString();
  const later = new Date(now + 3_600_000).toISOString();
  const jti = newJti();
  const base: ApprovalRequest = {
    id: newRequestId(),
    agent,
    action: 'db:DropTable',
    resource: 'prod/orders',
    audience: 'orders-db',
    justification: 'bench: a request of an agent with a long history',
    bindingCode: newBindingCode(),
    requestedTtlSeconds: 300,
    policyOutcome: 'step_up',
    requirements: {
      approverGroups: [['db-owners']],
      quorum: 1,
      approvalTimeoutSeconds: 3600,
      maxTokenTtlSeconds: 300,
      policies: ['bench'],
    },
    status: 'PENDING',
    createdAt: at,
    expiresAt: later,
    votes: [],
    // Paged already, as a request pending at shutdown would be: a resumed wait posts nothing.
    slackMessage,
    events: [
      { type: 'requested', at, actor: `agent:${agent}` },
      { type: 'notified', at, actor: 'workflow' },
    ],
    version: 2,
  };
  if (kind === 'pending') return base;
  const decided = {
    ...base,
    decidedAt: at,
    events: [...base.events, { type: 'outcome_notified' as const, at, actor: 'workflow' }],
  };
  if (kind === 'denied') return { ...decided, status: 'DENIED' };
  if (kind === 'expired') return { ...decided, status: 'EXPIRED' };
  const grant = { jti, ttlSeconds: 300, issuedAt: at, pickupBy: later, authorizationDetails: [] };
  const votes = [{ user: 'U0ALICE', team: 'T0EXAMPLE', decision: 'approve' as const, at }];
  const approved = { ...decided, status: 'APPROVED' as const, votes, grant };
  return kind === 'unused' ? approved : { ...approved, delivery: { jti, at, exp: 1 }, consumedAt: at };
}

/** `count` requests of `agent`: `pending` pending, `unused` unused grants, the rest finished. */
async function seed(runtime: LocalRuntime, agent: string, count: number, pending: number, unused: number) {
  const kinds: Kind[] = Array.from({ length: count }, (_, i) =>
    i < pending
      ? 'pending'
      : i < pending + unused
        ? 'unused'
        : (['consumed', 'denied', 'expired'] as const)[i % 3]!,
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: SEED_CONCURRENCY }, async () => {
      while (next < kinds.length) {
        const i = next++;
        const kind = kinds[i]!;
        const message = kind === 'pending' ? post(runtime) : { channel: 'C0APPROVALS', ts: `0.${i}` };
        await runtime.store.create(request(kind, agent, i, message));
      }
    }),
  );
}

/** Reads every item once, as the history-bound code did: the figure the index avoids. */
async function scanAll(client: DynamoDBClient, tableName: string): Promise<{ ms: number; items: number }> {
  const started = performance.now();
  let items = 0;
  for await (const page of paginateScan({ client }, { TableName: tableName, ConsistentRead: true }))
    items += page.Items?.length ?? 0;
  return { ms: performance.now() - started, items };
}

/** How many requests hold a task token: the resumed waits that have reached their callback. */
async function withTaskToken(runtime: LocalRuntime): Promise<number> {
  let count = 0;
  const scan = paginateScan(
    { client: runtime.dynamo.client },
    { TableName: runtime.dynamo.tableName, FilterExpression: 'attribute_exists(taskToken)', Select: 'COUNT' },
  );
  for await (const page of scan) count += page.Count ?? 0;
  return count;
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 200));
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const format = (counts: Record<string, number>) =>
  `${total(counts)} (${Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')})`;

async function killSwitch(): Promise<void> {
  const config = { ...loadConfigFile(), operators: [OPERATOR] };
  const runtime = await startLocalRuntime({ memory: true, port: 0, config, env: {} });
  try {
    const seeding = performance.now();
    await seed(runtime, AGENT, STORED, PENDING, UNUSED);
    console.log(
      `seeded ${STORED} requests of ${AGENT} (${PENDING} pending, ${UNUSED} unused grants) in ${Math.round(performance.now() - seeding)} ms`,
    );
    const token = await runtime.devToken(OPERATOR);
    const revoke = () =>
      fetch(`${runtime.url}/v1/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ agent: AGENT }),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));

    // A call takes new work for 5 s; on a slow machine the run needs more than one (each joins it).
    let calls = 0;
    const run = await counted(runtime.dynamo.client, async () => {
      let answer: { status: number; body: { complete?: boolean } };
      do {
        answer = await revoke();
        calls++;
      } while (answer.status === 200 && answer.body.complete === false);
      return answer;
    });
    console.log(
      `kill switch: ${Math.round(run.ms)} ms in ${calls} call(s), DynamoDB operations ${format(run.counts)}`,
    );
    console.log(`  answer ${run.result.status} ${JSON.stringify(run.result.body)}`);
    const again = await counted(runtime.dynamo.client, revoke);
    console.log(
      `kill switch pulled again (nothing left): ${Math.round(again.ms)} ms, operations ${format(again.counts)}`,
    );
    const history = await scanAll(runtime.dynamo.client, runtime.dynamo.tableName);
    console.log(`for comparison, reading all ${history.items} items once: ${Math.round(history.ms)} ms`);
  } finally {
    await runtime.stop();
  }
}

async function restart(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stepup-bench-restart-'));
  const options = { dataDir, port: 0, env: {} };
  try {
    let runtime: LocalRuntime = await startLocalRuntime(options);
    const seeding = performance.now();
    await seed(runtime, 'bench-restart', STORED, RESTART_PENDING, 0);
    console.log(
      `seeded ${STORED} requests (${RESTART_PENDING} pending) on disk in ${Math.round(performance.now() - seeding)} ms`,
    );
    const lookup = await counted(runtime.dynamo.client, async () => {
      let found = 0;
      let cursor: string | undefined;
      do {
        const page = await runtime.store.listUnfinishedWorkflows(cursor);
        found += page.items.length;
        cursor = page.cursor;
      } while (cursor);
      return found;
    });
    console.log(
      `restart's lookup of unfinished requests: ${lookup.result} in ${Math.round(lookup.ms)} ms, operations ${format(lookup.counts)}`,
    );
    const history = await scanAll(runtime.dynamo.client, runtime.dynamo.tableName);
    console.log(`for comparison, scanning all ${history.items} items once: ${Math.round(history.ms)} ms`);
    await runtime.stop();

    const started = performance.now();
    runtime = await startLocalRuntime(options);
    const token = await runtime.devToken('bench-restart');
    const answer = await fetch(`${runtime.url}/v1/token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: 'unknown' }),
    });
    const ms = performance.now() - started;
    console.log(`restart to the first answer of POST /v1/token (${answer.status}): ${Math.round(ms)} ms`);
    // Stop once every resumed wait has stored its task token (the resumed steps still write until then).
    await until(async () => (await withTaskToken(runtime)) >= RESTART_PENDING);
    await runtime.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await killSwitch();
  await restart();
}

void main();
