/**
 * The operators' audit query (`GET /v1/audit/events`, issue 15 item 4) at 10,000 stored requests,
 * through the local runtime over HTTP: the DynamoDB operations each query issues (from the audit
 * index: Query, then GetItem of the requests a page names; never Scan) and its latency.
 *
 *   npm run bench:audit [-- --stored 10000 --agents 50 --runs 20]
 */
import { performance } from 'node:perf_hooks';
import { loadConfigFile } from '../lambdas/adapters/config-file';
import type { ApprovalRequest } from '../lambdas/domain/requests/approval-request';
import { newBindingCode, newRequestId } from '../lambdas/domain/ids';
import { startLocalRuntime } from '../local/runtime';
import { counted } from './support/counted-commands';
import { percentile } from './support/percentile';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const STORED = arg('stored', 10_000);
const AGENTS = arg('agents', 50);
const RUNS = arg('runs', 20);
const OPERATOR = 'bench-operator';
const SEED_CONCURRENCY = 16;
const ACTIONS = ['db:DropTable', 'secrets:Rotate', 'git:ForcePush', 'payments:Refund'];

/** A finished request (approved, used), one second apart, the newest now. */
function request(index: number): ApprovalRequest {
  const agent = `bench-agent-${index % AGENTS}`;
  const at = (offset: number) => new Date(Date.now() - (STORED - index) * 1000 + offset).toISOString();
  return {
    id: newRequestId(),
    agent,
    action: ACTIONS[index % ACTIONS.length]!,
    resource: `prod/resource-${index % 97}`,
    audience: 'orders-db',
    justification: 'bench: one of many requests in the audit history',
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
    status: 'DENIED',
    createdAt: at(0),
    expiresAt: at(3_600_000),
    decidedAt: at(200),
    votes: [{ user: 'U0ALICE', team: 'T0EXAMPLE', decision: 'deny', at: at(200), reason: 'bench' }],
    events: [
      { type: 'requested', at: at(0), actor: `agent:${agent}` },
      { type: 'notified', at: at(100), actor: 'workflow' },
      { type: 'vote', at: at(200), actor: 'slack:T0EXAMPLE/U0ALICE', detail: { decision: 'deny' } },
      { type: 'denied', at: at(200), actor: 'slack:T0EXAMPLE/U0ALICE', detail: { reason: 'bench' } },
      { type: 'outcome_notified', at: at(300), actor: 'workflow' },
    ],
    version: 5,
  };
}

async function main(): Promise<void> {
  const runtime = await startLocalRuntime({
    memory: true,
    port: 0,
    config: { ...loadConfigFile(), operators: [OPERATOR] },
    env: {},
  });
  try {
    const seeding = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: SEED_CONCURRENCY }, async () => {
        while (next < STORED) await runtime.store.create(request(next++));
      }),
    );
    console.log(
      `seeded ${STORED} requests of ${AGENTS} agents in ${Math.round(performance.now() - seeding)} ms`,
    );
    const token = await runtime.devToken(OPERATOR);
    const get = async (query: string) => {
      const response = await fetch(`${runtime.url}/v1/audit/events${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.status !== 200) throw new Error(`${query}: ${response.status} ${await response.text()}`);
      return (await response.json()) as { events: unknown[]; cursor?: string };
    };
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const firstPage = await get('');
    const cases: [string, string][] = [
      ['newest page (25 requests)', ''],
      ['page 2 (cursor)', `?cursor=${firstPage.cursor}`],
      ['one agent of 50 (25 of its 200)', `?agent=bench-agent-7`],
      ['one action of 4', `?action=${encodeURIComponent('secrets:Rotate')}`],
      ['last hour (since)', `?since=${hourAgo}`],
      ['one agent, last hour', `?agent=bench-agent-7&since=${hourAgo}`],
      ['100 requests per page', '?limit=100'],
      ['an agent with no requests', '?agent=nobody'],
    ];
    console.log(`\n${RUNS} runs each, over HTTP to the local runtime (dynalite in memory):\n`);
    console.log('query                              events  DynamoDB operations           median ms  p95 ms');
    for (const [label, query] of cases) {
      const times: number[] = [];
      let ops = '';
      let events = 0;
      for (let run = 0; run < RUNS; run++) {
        const { result, ms, counts } = await counted(runtime.dynamo.client, () => get(query));
        times.push(ms);
        events = result.events.length;
        ops = Object.entries(counts)
          .map(([command, n]) => `${command} ${n}`)
          .join(', ');
        if (counts.Scan) throw new Error(`${label} scanned the table`);
      }
      times.sort((a, b) => a - b);
      console.log(
        `${label.padEnd(35)}${String(events).padStart(6)}  ${ops.padEnd(30)}${percentile(times, 0.5).toFixed(1).padStart(9)}${percentile(times, 0.95).toFixed(1).padStart(8)}`,
      );
    }
  } finally {
    await runtime.stop();
  }
}

void main();
