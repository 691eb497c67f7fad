/**
 * What every example agent here does the same way: find stepup, get a workload token, tell the user
 * how to approve locally, say why a request ended without a token, and exit with a status.
 */
import { CancelledError, DeniedError, ExpiredError, type ElevationHandle } from '../client/agent';

/** STEPUP_URL, default the local runtime. */
export const stepupUrl = (process.env.STEPUP_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');

/** Whether stepup is the local runtime (which mints dev workload tokens and has a Slack stand-in). */
export const isLocal = /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(`${stepupUrl}/`);

/** The agent's workload JWT: STEPUP_TOKEN, or (locally) one the dev issuer mints for `sub`. */
export async function workloadToken(sub: string): Promise<string> {
  if (process.env.STEPUP_TOKEN) return process.env.STEPUP_TOKEN;
  if (!isLocal) throw new Error('set STEPUP_TOKEN to the agent’s workload JWT');
  const response = await fetch(`${stepupUrl}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Locally, prints the command that approves `request` as U0ALICE through the Slack stand-in. */
export function printHowToApprove(request: ElevationHandle): void {
  if (!isLocal || request.initialStatus !== 'pending') return;
  console.log('approve it as U0ALICE (the local Slack stand-in) with:');
  console.log(
    `  curl -s -X POST ${stepupUrl}/dev/slack/click -H 'content-type: application/json' ` +
      `-d '{"auth_req_id":"${request.id}","user":"U0ALICE","decision":"approve"}'`,
  );
}

/**
 * Says why the request ended without a token (`not <doing>: denied (…)`, …).
 * @throws `error` itself when it is not one of the ends a request can have
 */
export function reportNoToken(error: unknown, doing: string): void {
  if (error instanceof DeniedError) console.log(`not ${doing}: denied (${error.reason})`);
  else if (error instanceof ExpiredError) console.log(`not ${doing}: nobody approved in time`);
  else if (error instanceof CancelledError) console.log(`not ${doing}: the request was withdrawn`);
  else throw error;
}

/** Runs an example's `main` and exits with its status (1 with the message on an error). */
export function run(main: () => Promise<number>): void {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
