/**
 * Click → the agent holding its token, through the local runtime over HTTP (issue 14 item 3): for
 * each request the agent client waits (`waitForToken`), an approver clicks Approve at a random
 * moment of the polling interval, and the time from the click to the client's token is measured.
 * Once with plain polling (a poll every `interval`), once with long-poll (`wait`, the client's
 * default). Budget: long-poll median ≤ 250 ms. A benchmark, not a test: it reports, and exits 1
 * only when the budget is missed.
 *
 *   npm run bench:pickup [-- --requests 50 --concurrency 1]
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { StepUpClient } from '../client/agent';
import { loadConfigFile } from '../lambdas/adapters/config-file';
import { POLL_INTERVAL_SECONDS } from '../lambdas/domain/requests/create-request';
import { startLocalRuntime, type LocalRuntime } from '../local/runtime';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const REQUESTS = arg('requests', 50);
const CONCURRENCY = arg('concurrency', 1);
const BUDGET_MEDIAN_MS = 250;

/** The `q` quantile (nearest rank) of `values`. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/** Waits until the approvers' message is posted (the click needs it). */
async function messagePosted(runtime: LocalRuntime, requestId: string): Promise<void> {
  while (!(await runtime.store.get(requestId))?.slackMessage) await sleep(10);
}

/** One request: ask, wait with the client, click at a random point of the interval; click → token in ms. */
async function pickup(runtime: LocalRuntime, client: StepUpClient): Promise<number> {
  const handle = await client.requestElevation({
    action: 'db:DropTable',
    resource: 'prod/orders',
    audience: 'orders-db',
    justification: 'bench: click to token',
  });
  let tokenAt = 0;
  const token = handle.waitForToken().then((t) => ((tokenAt = performance.now()), t));
  await messagePosted(runtime, handle.id);
  // A human clicks at no particular moment of the agent's polling rhythm.
  await sleep(Math.random() * POLL_INTERVAL_SECONDS * 1000);
  const clickedAt = performance.now();
  const click = await runtime.click({ requestId: handle.id, user: 'U0ALICE', decision: 'approve' });
  if (click.status !== 200) throw new Error(`click answered ${click.status}`);
  await token;
  return tokenAt - clickedAt;
}

async function measure(runtime: LocalRuntime, longPollSeconds: number): Promise<number[]> {
  const token = await runtime.devToken('bench-pickup');
  const client = new StepUpClient({ baseUrl: runtime.url, token, longPollSeconds });
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next++;
        times.push(await pickup(runtime, client));
      }
    }),
  );
  return times;
}

function report(name: string, times: readonly number[]): number {
  const median = quantile(times, 0.5);
  console.log(
    `${name.padEnd(13)} n=${times.length}  median ${median.toFixed(0)} ms  p90 ${quantile(times, 0.9).toFixed(0)} ms  ` +
      `p99 ${quantile(times, 0.99).toFixed(0)} ms  max ${Math.max(...times).toFixed(0)} ms`,
  );
  return median;
}

async function main(): Promise<void> {
  const runtime = await startLocalRuntime({ memory: true, port: 0, config: loadConfigFile(), env: {} });
  try {
    const before = loadavg();
    console.log(
      `click → agent client holding the token; ${REQUESTS} requests per mode, ${CONCURRENCY} at a time; ` +
        `load average ${before.map((l) => l.toFixed(2)).join(' ')}`,
    );
    const plain = await measure(runtime, 0);
    report('plain polling', plain);
    const longPoll = await measure(runtime, 25);
    const median = report('long-poll', longPoll);
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    if (median > BUDGET_MEDIAN_MS) {
      console.log(`long-poll median over the ${BUDGET_MEDIAN_MS} ms budget`);
      process.exitCode = 1;
    }
  } finally {
    await runtime.stop();
  }
}

void main();
