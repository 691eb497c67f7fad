/**
 * What Cedar costs the request Lambda: warm decision time, and the cold-start cost (bundle and wasm
 * size, module init time, policy load time), measured on this machine.
 *
 *   npm run bench:policy
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildSync } from 'esbuild';
import { COMPILED_POLICY_SET_FILE, serializePolicySet } from '../lambdas/adapters/cedar/compiled-policy-set';
import { cedarPolicyFromDirectory } from '../lambdas/adapters/cedar/policy-directory';
import { loadPolicySet } from '../lambdas/adapters/cedar/policy-set-loader';
import { loadConfigFile } from '../lambdas/adapters/config-file';
import type { PolicyQuestion } from '../lambdas/ports/approval-policy';
import { DynamoDbAgentHistory } from '../lambdas/adapters/aws/dynamodb-agent-history';
import { SDK_CLIENT_OPTIONS } from '../lambdas/adapters/aws/sdk-client-options';
import { localDynamoDbClient, startLocalDynamoDb } from '../local/local-dynamodb';
import { percentile } from './support/percentile';

const ROOT = join(__dirname, '..');
const WASM = join(ROOT, 'node_modules/@cedar-policy/cedar-wasm/nodejs/cedar_wasm_bg.wasm');

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function warmDecisions(): void {
  const policy = cedarPolicyFromDirectory(
    loadConfigFile(join(ROOT, 'stepup.config.json')),
    join(ROOT, 'policies'),
  );
  const base = {
    agent: 'deploy-bot',
    audience: 'orders-db',
    humanVerified: false,
    requestedTtlSeconds: 0,
    signals: {},
  };
  const questions: PolicyQuestion[] = [
    { ...base, action: 'logs:Read', resource: 'prod/app-logs' },
    { ...base, action: 'db:DropTable', resource: 'prod/orders' },
    { ...base, action: 'db:RestoreSnapshot', resource: 'prod/orders', signals: { incident: 'INC-1' } },
    { ...base, action: 'payments:Transfer', resource: 'prod/treasury' },
  ];
  for (let i = 0; i < 500; i++) policy.decide(questions[i % questions.length]!);
  const samples: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const start = performance.now();
    policy.decide(questions[i % questions.length]!);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  console.log('warm decision (one decide(): up to two Cedar evaluations), 5000 samples over 4 request kinds');
  console.log(
    `  median ${(percentile(samples, 0.5) * 1000).toFixed(0)} µs   p99 ${(percentile(samples, 0.99) * 1000).toFixed(0)} µs`,
  );
}

/** The 1-, 5- and 15-minute load averages, as `uptime` prints them: these figures move with them. */
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

/** Median and p99 of `samples` (ms) in µs, and the process CPU time per sample. */
function summary(samples: number[], cpuMicros: number): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
  return `median ${us(percentile(sorted, 0.5))}   p99 ${us(percentile(sorted, 0.99))}   CPU ${(cpuMicros / samples.length).toFixed(0)} µs/op`;
}

/**
 * The decision as a request makes it: the agent's history read (one BatchGetItem of the items
 * holding the leaves the policies read, from dynalite over the real SDK, the agent with a day of
 * recorded requests), then `decide()`. The read
 * and the decision are also timed alone, interleaved in rounds so that both see the same load; CPU
 * time per operation (dynalite runs in this process) moves less with load than wall time.
 */
async function warmDecisionsWithHistory(): Promise<void> {
  const dynamo = await startLocalDynamoDb();
  // A client built as the functions build theirs.
  const client = localDynamoDbClient(dynamo.endpoint, SDK_CLIENT_OPTIONS);
  try {
    const history = new DynamoDbAgentHistory(client, dynamo.tableName);
    const policy = cedarPolicyFromDirectory(
      loadConfigFile(join(ROOT, 'stepup.config.json')),
      join(ROOT, 'policies'),
    );
    const now = new Date();
    const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
    for (let i = 0; i < 60; i++) {
      await history.record({
        agent: 'deploy-bot',
        action: 'db:DeleteRows',
        resource: `prod/db/t${i % 5}`,
        requestId: `bench-${i}`,
        at: at(i * 20),
        counted: ['requests', i % 3 === 0 ? 'denied' : 'approved'],
      });
    }
    const question: PolicyQuestion = {
      agent: 'deploy-bot',
      action: 'db:DeleteRows',
      resource: 'prod/db/t0',
      audience: 'orders-db',
      humanVerified: false,
      requestedTtlSeconds: 0,
      signals: {},
    };
    const read = () =>
      history.read(question.agent, question.action, question.resource, new Date(), policy.historyUse);
    const kinds = {
      'history read + decide()': async () => policy.decide({ ...question, history: await read() }),
      'history read alone': read,
      'decide() alone': async () => policy.decide(question),
    };
    const samples = new Map(Object.keys(kinds).map((k) => [k, [] as number[]]));
    const cpu = new Map(Object.keys(kinds).map((k) => [k, 0]));
    const before = load();
    for (let round = 0; round < 22; round++) {
      for (const [kind, once] of Object.entries(kinds)) {
        const started = process.cpuUsage();
        const times: number[] = [];
        for (let i = 0; i < 100; i++) {
          const start = performance.now();
          await once();
          times.push(performance.now() - start);
        }
        const used = process.cpuUsage(started);
        // The first two rounds warm up.
        if (round < 2) continue;
        samples.get(kind)!.push(...times);
        cpu.set(kind, cpu.get(kind)! + used.user + used.system);
      }
    }
    console.log(
      '\nwarm decision with history (one BatchGetItem from dynalite + decide()), 2000 samples each',
    );
    console.log(`  history the policies read: ${policy.historyUse.join(', ') || 'none'}`);
    console.log(`  load average before: ${before}`);
    for (const kind of Object.keys(kinds)) {
      console.log(`  ${kind.padEnd(24)} ${summary(samples.get(kind)!, cpu.get(kind)!)}`);
    }
    console.log(`  load average after:  ${load()}   (budget: read + decide 2 ms warm)`);
  } finally {
    client.destroy();
    await dynamo.close();
  }
}

function coldStart(): void {
  const dir = mkdtempSync(join(tmpdir(), 'stepup-bench-'));
  try {
    // The request Lambda's bundle, built as the construct builds it.
    const handler = join(dir, 'handler');
    buildSync({
      entryPoints: [join(ROOT, 'lambdas/handlers/create-request.ts')],
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      external: ['@aws-sdk/*'],
      outfile: join(handler, 'index.js'),
      logLevel: 'silent',
    });
    copyFileSync(WASM, join(handler, 'cedar_wasm_bg.wasm'));
    // As `cdk synth` ships it: the policy set validated once, beside the bundle.
    writeFileSync(
      join(handler, COMPILED_POLICY_SET_FILE),
      serializePolicySet(
        loadPolicySet(join(ROOT, 'policies'), loadConfigFile(join(ROOT, 'stepup.config.json'))),
      ),
    );

    // A probe bundle that times the two Cedar phases of the Lambda's init in a fresh process.
    const probe = join(dir, 'probe');
    const probeSource = join(dir, 'probe.ts');
    writeFileSync(
      probeSource,
      `const t0 = performance.now();
       const { cedarPolicyFromCompiledSet } = require(${JSON.stringify(join(ROOT, 'lambdas/adapters/cedar/compiled-policy-set.ts'))});
       const { parseConfig } = require(${JSON.stringify(join(ROOT, 'lambdas/domain/config/config.ts'))});
       const t1 = performance.now();
       cedarPolicyFromCompiledSet(parseConfig(JSON.parse(process.env.STEPUP_CONFIG_JSON)), ${JSON.stringify(join(handler, COMPILED_POLICY_SET_FILE))});
       const t2 = performance.now();
       console.log(JSON.stringify({ load: t1 - t0, prepare: t2 - t1 }));`,
    );
    buildSync({
      entryPoints: [probeSource],
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      outfile: join(probe, 'index.js'),
      logLevel: 'silent',
    });
    copyFileSync(WASM, join(probe, 'cedar_wasm_bg.wasm'));
    const env = {
      ...process.env,
      STEPUP_CONFIG_JSON: JSON.stringify(loadConfigFile(join(ROOT, 'stepup.config.json'))),
    };
    const runs = Array.from({ length: 7 }, () => {
      const out = execFileSync(process.execPath, [join(probe, 'index.js')], { env, encoding: 'utf8' });
      return JSON.parse(out) as { load: number; prepare: number };
    });
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

    console.log('\ncold start of the request Lambda (create-request)');
    console.log(
      `  bundle index.js            ${kb(statSync(join(handler, 'index.js')).size)} (minified, @aws-sdk external; budget 400 KB)`,
    );
    console.log(`  cedar_wasm_bg.wasm asset   ${kb(statSync(WASM).size)} (beside the bundle, not in it)`);
    console.log(
      `  Cedar module + wasm load   ${median(runs.map((r) => r.load)).toFixed(1)} ms (median of ${runs.length} fresh processes)`,
    );
    console.log(
      `  compiled policy set pre-parse ${median(runs.map((r) => r.prepare)).toFixed(1)} ms (validated at synth)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`node ${process.version}, ${process.platform}/${process.arch}\n`);
async function main(): Promise<void> {
  warmDecisions();
  await warmDecisionsWithHistory();
  coldStart();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
