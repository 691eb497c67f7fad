/**
 * Soak test of the local runtime: concurrent agents run full flows (request → Approve in the Slack
 * stand-in → token → introspection) against `npm start` for a while; reports flows/s, per-step
 * p50/p99, the runtime's RSS over time, and whether it survived.
 *
 *   npm run bench:soak [-- --duration 10m --concurrency 16 --every 30s --start "npm start -- --memory --port 0"]
 *
 * Exits 1 when the runtime died (e.g. a V8 fatal error) or no flow completed.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Agent, devToken, STEPS, StepError, type Step } from './soak/flow';
import { Latencies } from './soak/latencies';
import { startRuntime } from './soak/runtime-process';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '3m' },
    concurrency: { type: 'string', default: '16' },
    every: { type: 'string', default: '15s' },
    start: { type: 'string', default: 'npm start -- --memory --port 0' },
  },
});

/** `90s`, `10m` or a number of seconds, in milliseconds. */
function duration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(text);
  if (!match) throw new Error(`--${flag} must look like 90s or 10m, got ${text}`);
  return Number(match[1]) * (match[2] === 'm' ? 60_000 : 1000);
}

const durationMs = duration(flags.duration, 'duration');
const everyMs = duration(flags.every, 'every');
const concurrency = Number(flags.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1)
  throw new Error('--concurrency must be a positive integer');

const mb = (kib: number | undefined) => (kib === undefined ? '?' : (kib / 1024).toFixed(0));
const ms = (value: number) => (Number.isNaN(value) ? '-' : value < 10 ? value.toFixed(1) : value.toFixed(0));

async function main(): Promise<number> {
  console.log(`soak: starting the runtime: ${flags.start}`);
  const runtime = await startRuntime(flags.start, { ...process.env, LOG_LEVEL: 'WARN' });
  let died: string | undefined;
  void runtime.exited.then((how) => (died = how));
  // The runtime runs in its own process group: it must not outlive this script, however it ends.
  process.once('exit', () => runtime.stop());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  console.log(`soak: runtime up at ${runtime.url}; ${concurrency} agents for ${flags.duration}`);

  const resourceServer = await devToken(runtime.url, 'orders-db');
  const agents = await Promise.all(
    Array.from({ length: concurrency }, (_, i) =>
      Agent.create(runtime.url, `soak-agent-${i}`, resourceServer),
    ),
  );
  const window = Object.fromEntries(STEPS.map((s) => [s, new Latencies()])) as Record<Step, Latencies>;
  const total = Object.fromEntries(STEPS.map((s) => [s, new Latencies()])) as Record<Step, Latencies>;
  const errors: Record<string, number> = {};
  const rss: { atS: number; kib: number | undefined }[] = [];
  let flows = 0;
  let unfinished = 0;
  const started = performance.now();
  const endAt = started + durationMs;
  // At the end, flows still under way are stopped where they are and counted, not awaited.
  const end = new AbortController();
  const endTimer = setTimeout(() => end.abort(new Error('the soak ended')), durationMs);

  const run = async (agent: Agent) => {
    while (performance.now() < endAt && died === undefined) {
      try {
        await agent.flow((step, took) => window[step].add(took), end.signal);
        flows++;
      } catch (error) {
        if (died !== undefined) return;
        if (end.signal.aborted) {
          unfinished++;
          return;
        }
        const step = error instanceof StepError ? error.step : 'other';
        if ((errors[step] = (errors[step] ?? 0) + 1) <= 3)
          console.log(`soak: flow failed at ${(error as Error).message}`);
      }
    }
  };

  let lastFlows = 0;
  let lastAt = started;
  const report = () => {
    const now = performance.now();
    const atS = Math.round((now - started) / 1000);
    const kib = runtime.rssKiB();
    rss.push({ atS, kib });
    const steps = STEPS.map((s) => {
      const w = window[s].drain();
      total[s].merge(w);
      return `${s} ${ms(w.percentile(50))}/${ms(w.percentile(99))}`;
    }).join(', ');
    const rate = ((flows - lastFlows) / ((now - lastAt) / 1000)).toFixed(1);
    lastFlows = flows;
    lastAt = now;
    const failed = Object.values(errors).reduce((a, b) => a + b, 0);
    console.log(
      `[${String(atS).padStart(4)} s] ${flows} flows, ${rate}/s; p50/p99 ms ${steps}; RSS ${mb(kib)} MB; ` +
        `errors ${failed}; load ${loadavg()[0]!.toFixed(1)}`,
    );
  };
  const ticker = setInterval(report, everyMs);
  await Promise.all(agents.map(run));
  clearInterval(ticker);
  clearTimeout(endTimer);
  report();
  const elapsedS = (performance.now() - started) / 1000;
  runtime.stop();

  const samples = rss.filter((r) => r.kib !== undefined).map((r) => r.kib!);
  // Compare the second half's RSS with the first half's (after the first sample's warm-up).
  const half = Math.floor(samples.length / 2);
  const firstHalfMax = Math.max(...samples.slice(1, Math.max(2, half)));
  const secondHalfMax = Math.max(...samples.slice(half));
  console.log('\nsoak: summary');
  console.log(`  survived          ${died === undefined ? 'yes' : `NO (runtime ended: ${died})`}`);
  console.log(
    `  flows             ${flows} in ${elapsedS.toFixed(0)} s = ${(flows / elapsedS).toFixed(1)} flows/s with ${concurrency} agents`,
  );
  for (const step of STEPS) {
    console.log(
      `  ${step.padEnd(17)} p50 ${ms(total[step].percentile(50))} ms, p99 ${ms(total[step].percentile(99))} ms (${total[step].count})`,
    );
  }
  console.log(`  RSS (MB)          ${rss.map((r) => mb(r.kib)).join(' ')}`);
  console.log(`  RSS max, 1st half ${mb(firstHalfMax)} MB; 2nd half ${mb(secondHalfMax)} MB`);
  console.log(`  errors            ${JSON.stringify(errors)}; ${unfinished} flows under way at the end`);
  if (died !== undefined) {
    console.log(`\nthe runtime's last output:\n${runtime.output().slice(-4000)}`);
    return 1;
  }
  return flows > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('soak:', error);
    process.exit(1);
  },
);
