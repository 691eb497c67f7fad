import { killSwitchActor, sweepAgent, type KillSwitchDeps, type KillSwitchResult } from '../tokens/revoke';

/**
 * How old a kill switch run must be before the reconciler carries it on: younger runs are still in
 * the hands of the operator's call (which takes new work for 5 s), and two sweeps of one agent at
 * once would only contend for the same requests.
 */
export const KILL_SWITCH_HANDOVER_SECONDS = 15;

/** A kill switch run carried on, and how far it got. */
export interface ContinuedKillSwitch extends KillSwitchResult {
  readonly agent: string;
}

/**
 * The reconciler's share of the kill switch: every run started before `startedBefore` and not yet
 * complete (cut short by its call's deadline, a timeout or a crash) is carried on until `deadline`,
 * as whoever pulled it, oldest first; the next reconciler run picks up whatever is still open. Reads only
 * the index of unfinished runs.
 * @param startedBefore at most now minus {@link KILL_SWITCH_HANDOVER_SECONDS}
 */
export async function continueKillSwitches(
  deps: KillSwitchDeps,
  { startedBefore, deadline }: { readonly startedBefore: Date; readonly deadline: Date },
): Promise<ContinuedKillSwitch[]> {
  const continued: ContinuedKillSwitch[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.killSwitches.listRunning(cursor);
    for (const agent of page.items) {
      if (deps.clock.now() >= deadline) return continued;
      const run = await deps.killSwitches.get(agent);
      if (!run || run.completedAt || Date.parse(run.startedAt) >= startedBefore.getTime()) continue;
      continued.push({ agent, ...(await sweepAgent(deps, run, killSwitchActor(run.operator), deadline)) });
    }
    cursor = page.cursor;
  } while (cursor);
  return continued;
}
