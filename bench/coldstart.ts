/**
 * Cold start of every Lambda bundle in the cloud assembly, as deployed: the assembly `cdk synth`
 * bundles (the deployed-bundle suite's, cached by tree), each function on Node 22 with the runtime's
 * AWS SDK on `NODE_PATH` (the bundles carry their own), its template environment, against the
 * suite's wire-protocol stand-ins.
 *
 * Per function: `index.js` size; `require` time of the bundle in a fresh process; and, for the
 * functions an event can reach without a workflow in flight, the first invocation in a fresh
 * execution environment: Lambda's REPORT `Duration` of it (the handler's own init — clients, config,
 * Cedar — plus the call; the process start and `require`, Lambda's Init Duration, are not in it),
 * and beside it what the caller waited for that first request with every function on its path cold
 * (API Gateway, a Lambda authorizer's cold start, this function's Init and invocation). Medians of 7, taken round-robin over the functions so
 * a burst of load from other work is shared by all of them. Budgets (a benchmark, not a test):
 * `require` ≤ 150 ms (createRequest and slackEvents ≤ 250 ms); createRequest's first invocation
 * ≤ 400 ms. Exits non-zero when one is missed.
 *
 *   npm run bench:coldstart
 *   npm run bench:coldstart -- --only CreateRequest,Token   (those functions only, e.g. for before/after pairs)
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FakeAccount } from '../test/deployed/aws/account';
import { DEPLOYED_ENV, readTemplate, synthesizeCloudAssembly } from '../test/deployed/cloud-assembly';
import {
  deploy,
  DROP_TABLE,
  functionNamed,
  SAMPLE_AGENT_SUB,
  Workload,
  type Deployment,
} from '../test/deployed/deployment';
import { lambdaNodeRuntime } from '../test/deployed/node-runtime';
import { lambdaRuntimeSdk } from '../test/deployed/runtime-sdk';

const RUNS = 7;
const REQUIRE_BUDGET_MS = 150;
const REQUIRE_BUDGET_HEAVY_MS: Record<string, number> = { CreateRequest: 250, SlackEvents: 250 };
const FIRST_INVOCATION_BUDGET_MS: Record<string, number> = { CreateRequest: 400 };

/** `--only A,B`: the short names of the functions to measure (all when absent). */
function onlyFunctions(argv: readonly string[]): Set<string> | undefined {
  const at = argv.indexOf('--only');
  if (at < 0) return undefined;
  const names = argv[at + 1]?.split(',').filter(Boolean) ?? [];
  if (names.length === 0) throw new Error('--only needs function names, e.g. --only CreateRequest,Token');
  return new Set(names);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const log = (line: string) => console.error(`[coldstart] ${line}`);

/** `StepUpCreateRequest06BD5C1C` → `CreateRequest`. */
const shortName = (logicalId: string) => logicalId.replace(/^StepUp/, '').replace(/[0-9A-F]{8}$/, '');

/**
 * The event that reaches each benchmarked function, prepared while warm (so the fixture's own cold
 * starts are not measured), then sent once to a cold execution environment.
 */
type Probe = (deployment: Deployment, agent: Workload) => Promise<() => Promise<unknown>>;

const pendingRequest = async (agent: Workload): Promise<string> => {
  const created = await agent.request(DROP_TABLE);
  return (created.json as { auth_req_id: string }).auth_req_id;
};

const PROBES: Record<string, Probe> = {
  Health: async (d) => () => d.api.request({ method: 'GET', path: '/health' }),
  Jwks: async (d) => () => d.api.request({ method: 'GET', path: '/.well-known/jwks.json' }),
  ServerMetadata: async (d) => () =>
    d.api.request({ method: 'GET', path: '/.well-known/oauth-authorization-server' }),
  OpenApi: async (d) => () => d.api.request({ method: 'GET', path: '/openapi.json' }),
  CreateRequest: async (_d, agent) => () => agent.request(DROP_TABLE),
  GetRequest: async (_d, agent) => {
    const id = await pendingRequest(agent);
    return () => agent.get(`/v1/requests/${id}`);
  },
  Token: async (_d, agent) => {
    const id = await pendingRequest(agent);
    return () => agent.poll(id);
  },
  CancelRequest: async (_d, agent) => {
    const id = await pendingRequest(agent);
    return () => agent.postJson(`/v1/requests/${id}/cancel`, {});
  },
  SlackEvents: async (d, agent) => {
    const id = await pendingRequest(agent);
    await d.slack.approvalMessage(id);
    const signed = d.slack.slack.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
    return () =>
      d.api.request({ method: 'POST', path: '/slack/events', headers: signed.headers, body: signed.body });
  },
  ExpireRequest: async (d, agent) => {
    const id = await pendingRequest(agent);
    return () => d.lambdas.invoke(functionNamed(d, 'ExpireRequest'), { request_id: id });
  },
};

/**
 * Milliseconds to `require` the bundle in a fresh Node process with the function's environment:
 * wall clock, and the process's CPU time meanwhile (steadier on a busy machine).
 */
function requireTime(
  nodeExecPath: string,
  taskRoot: string,
  env: NodeJS.ProcessEnv,
): { wall: number; cpu: number } {
  const script =
    'const c=process.cpuUsage(),t=process.hrtime.bigint();require(process.env.LAMBDA_TASK_ROOT+"/index.js");' +
    'const u=process.cpuUsage(c);' +
    'process.stdout.write(JSON.stringify({wall:Number(process.hrtime.bigint()-t)/1e6,cpu:(u.user+u.system)/1e3}))';
  return JSON.parse(execFileSync(nodeExecPath, ['-e', script], { cwd: taskRoot, env, encoding: 'utf8' })) as {
    wall: number;
    cpu: number;
  };
}

/** The 1-, 5- and 15-minute load averages, as `uptime` prints them. */
const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

async function main(): Promise<void> {
  const started = performance.now();
  // The figures depend on what else runs: the load before and after is printed with them.
  const loadBefore = loadAverage();
  const [assemblyDir, node] = await Promise.all([synthesizeCloudAssembly(log), lambdaNodeRuntime(log)]);
  const account = FakeAccount.fromTemplate(readTemplate(assemblyDir), DEPLOYED_ENV);
  const only = onlyFunctions(process.argv.slice(2));
  const functions = account.functions().filter((fn) => !only || only.has(shortName(fn.logicalId)));
  if (only && functions.length !== only.size)
    throw new Error(`--only: no function named in ${[...only].join(', ')}`);
  const sdkNodePath = lambdaRuntimeSdk(
    functions.map((fn) => join(assemblyDir, fn.assetPath)),
    log,
  );
  const deployment = await deploy({ assemblyDir, nodeExecPath: node.execPath, sdkNodePath });
  const agent = new Workload(deployment, SAMPLE_AGENT_SUB);
  const rows: string[][] = [];
  let missed = 0;
  // The `require` runs go round-robin over the functions (run 1 of each, then run 2, …), so a burst
  // of load from other work on the machine is spread over all of them instead of landing on one.
  const hosts = functions.map((fn) => {
    const taskRoot = join(assemblyDir, fn.assetPath);
    const env = {
      ...account.functionEnvironment(fn.logicalId),
      NODE_PATH: sdkNodePath,
      AWS_REGION: DEPLOYED_ENV.region,
      // As Lambda sets them: the Powertools tracer switches itself on (and patches HTTP) only in Lambda.
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: taskRoot,
      PATH: process.env.PATH,
    };
    return {
      fn,
      short: shortName(fn.logicalId),
      taskRoot,
      env,
      requires: [] as { wall: number; cpu: number }[],
    };
  });
  for (let run = 0; run < RUNS; run++) {
    for (const host of hosts) host.requires.push(requireTime(node.execPath, host.taskRoot, host.env));
  }
  log('require: done');
  try {
    // First invocations round-robin too, each in a cold execution environment: the function's own
    // (Lambda's REPORT Duration of it) and the whole first request as the caller waited for it.
    const firsts = new Map<string, number[]>();
    const wholeFirsts = new Map<string, number[]>();
    for (let run = 0; run < RUNS; run++) {
      for (const { fn, short } of hosts) {
        const probe = PROBES[short];
        if (!probe) continue;
        const send = await probe(deployment, agent);
        deployment.lambdas.stop();
        const invocations = deployment.lambdas.invocationTimes.length;
        const t0 = performance.now();
        await send();
        const whole = performance.now() - t0;
        // Other functions on the path (a Lambda authorizer) started cold as well: their time is in
        // `whole`, not in this function's first invocation.
        const first = deployment.lambdas.invocationTimes
          .slice(invocations)
          .find((entry) => entry.functionName === fn.functionName && entry.cold);
        if (!first) throw new Error(`${short}: the probe did not reach the function cold`);
        firsts.set(short, [...(firsts.get(short) ?? []), first.ms]);
        wholeFirsts.set(short, [...(wholeFirsts.get(short) ?? []), whole]);
      }
    }
    log('first invocations: done');
    for (const { short, taskRoot, requires } of hosts) {
      const requireMs = median(requires.map((r) => r.wall));
      const requireCpuMs = median(requires.map((r) => r.cpu));
      // The fastest run: what the bundle costs when no other work got in its way.
      const requireMinMs = Math.min(...requires.map((r) => r.wall));
      const requireBudget = REQUIRE_BUDGET_HEAVY_MS[short] ?? REQUIRE_BUDGET_MS;

      const firstMs = firsts.has(short) ? median(firsts.get(short)!) : undefined;
      const firstBudget = FIRST_INVOCATION_BUDGET_MS[short];
      const requireOk = requireMs <= requireBudget;
      const firstOk = firstBudget === undefined || firstMs === undefined || firstMs <= firstBudget;
      if (!requireOk || !firstOk) missed++;
      rows.push([
        short,
        `${(statSync(join(taskRoot, 'index.js')).size / 1024).toFixed(1)} KB`,
        `${requireMs.toFixed(0)} ms`,
        `${requireCpuMs.toFixed(0)} ms`,
        `${requireMinMs.toFixed(0)} ms`,
        `≤ ${requireBudget}${requireOk ? '' : ' MISSED'}`,
        firstMs === undefined
          ? '—'
          : `${firstMs.toFixed(0)} ms (fastest ${Math.min(...firsts.get(short)!).toFixed(0)})`,
        firstBudget === undefined ? '' : `≤ ${firstBudget}${firstOk ? '' : ' MISSED'}`,
        wholeFirsts.has(short) ? `${median(wholeFirsts.get(short)!).toFixed(0)} ms` : '—',
      ]);
    }
  } finally {
    await deployment.stop();
  }

  const header = [
    'function',
    'index.js',
    'require',
    'require CPU',
    'fastest',
    'budget',
    'first invocation',
    'budget',
    'whole first request',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(
    `Node ${node.version} (the Lambda runtime's major), medians of ${RUNS} fresh processes, ` +
      `${cpus().length} CPUs, load average ${loadBefore} before, ${loadAverage()} after\n`,
  );
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (missed > 0) {
    console.log(`${missed} function(s) over budget`);
    process.exitCode = 1;
  }
}

// Exit once the table is printed: a keep-alive socket of the stand-ins' SDK clients could otherwise
// hold the process open after the deployment stopped (seen after full runs).
main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
