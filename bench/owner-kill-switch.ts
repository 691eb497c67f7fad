/**
 * The owner's kill switch button against Slack's 3 s budget for an interaction, through the local
 * runtime over HTTP: a signed `block_actions` click on the DM's button, timed from sending it to the
 * 200 that answers Slack, for agents with 0, 20 and 200 pending requests (the click takes new work
 * for 1.5 s, then leaves the rest to the reconciler).
 *
 *   npm run bench:owner-click [-- --repeat 5 --sizes 0,20,200]
 */
import { performance } from 'node:perf_hooks';
import { loadConfigFile } from '../lambdas/adapters/config-file';
import { KILL_SWITCH_ACTION_ID } from '../lambdas/adapters/slack/owner-message';
import type { AdmitRule } from '../lambdas/domain/agents/agent-admission';
import type { StandInMessage } from '../local/slack-stand-in';
import { startLocalRuntime, type LocalRuntime } from '../local/runtime';
import { percentile } from './support/percentile';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const REPEAT = Number(arg('repeat', '5'));
const SIZES = arg('sizes', '0,20,200').split(',').map(Number);
const OWNER = 'U0OWNER';
const CREATE_CONCURRENCY = 8;

const agentOf = (size: number, round: number) => `bench-owned-${size}-${round}`;

/** Posts `body` to `/v1/requests` as `agent`; the request id. */
async function create(runtime: LocalRuntime, token: string, body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${runtime.url}/v1/requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return ((await response.json()) as { auth_req_id: string }).auth_req_id;
}

/** Resolves once `find` finds something, looking again on every change the stand-in records. */
async function seen<T>(runtime: LocalRuntime, find: () => T | undefined): Promise<T> {
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** `pending` step-up requests of the agent, then a policy denial whose DM carries the button. */
async function dmWithButton(runtime: LocalRuntime, agent: string, pending: number): Promise<StandInMessage> {
  const token = await runtime.devToken(agent);
  let next = 0;
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      while (next < pending) {
        next++;
        await create(runtime, token, {
          action: 'db:DropTable',
          resource: `prod/orders-${next}`,
          audience: 'orders-db',
          justification: 'bench: a pending request the kill switch cancels',
        });
      }
    }),
  );
  const denied = await create(runtime, token, {
    action: 'payments:Transfer',
    resource: 'prod/treasury',
    audience: 'orders-db',
    justification: 'bench: denied by policy, which DMs the owner',
  });
  return seen(runtime, () =>
    runtime.slack!.messages.find((m) => m.channel === OWNER && JSON.stringify(m.blocks).includes(denied)),
  );
}

/** One owner click on `dm`'s kill switch: ms until the 200 Slack gets. */
async function click(runtime: LocalRuntime, dm: StandInMessage): Promise<number> {
  const signed = runtime.slack!.clickButton(dm, KILL_SWITCH_ACTION_ID, OWNER);
  const started = performance.now();
  const response = await fetch(`${runtime.url}/slack/events`, {
    method: 'POST',
    headers: signed.headers,
    body: signed.body,
  });
  await response.text();
  if (response.status !== 200) throw new Error(`click answered ${response.status}`);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const config = loadConfigFile();
  const owned: AdmitRule[] = SIZES.flatMap((size) =>
    Array.from({ length: REPEAT }, (_, round) => ({
      name: agentOf(size, round),
      team: 'bench',
      owners: [OWNER],
      sub: agentOf(size, round),
    })),
  );
  const runtime = await startLocalRuntime({
    memory: true,
    port: 0,
    config: { ...config, agents: { ...config.agents, admit: [...config.agents.admit, ...owned] } },
    env: {},
  });
  try {
    for (const size of SIZES) {
      const samples: number[] = [];
      for (let round = 0; round < REPEAT; round++) {
        const agent = agentOf(size, round);
        const dm = await dmWithButton(runtime, agent, size);
        samples.push(await click(runtime, dm));
      }
      samples.sort((a, b) => a - b);
      console.log(
        `${size} pending: click answered in p50 ${Math.round(percentile(samples, 0.5))} ms, ` +
          `max ${Math.round(samples.at(-1)!)} ms over ${REPEAT} clicks (Slack's budget: 3000 ms)`,
      );
    }
  } finally {
    await runtime.stop();
  }
}

void main();
