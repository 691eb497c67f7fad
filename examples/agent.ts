/**
 * An agent that must not drop a production table on its own: it asks stepup, waits while a human
 * approves in Slack, then drops the table with the single-use token.
 *
 *   npx tsx examples/agent.ts
 *
 * Environment: STEPUP_URL (default http://127.0.0.1:3000), STEPUP_TOKEN (the agent's workload JWT;
 * against the local runtime it is minted for `deploy-bot` when unset), RESOURCE_URL (default
 * http://127.0.0.1:4000, examples/resource-server.ts).
 */
import { CancelledError, DeniedError, ExpiredError, StepUpClient } from '../client/agent';

const stepupUrl = (process.env.STEPUP_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const resourceUrl = (process.env.RESOURCE_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '');
const local = /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(`${stepupUrl}/`);

/** The agent's workload JWT: from the environment, or (locally) from the dev issuer. */
async function workloadToken(): Promise<string> {
  if (process.env.STEPUP_TOKEN) return process.env.STEPUP_TOKEN;
  if (!local) throw new Error('set STEPUP_TOKEN to the agent’s workload JWT');
  const response = await fetch(`${stepupUrl}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub: 'deploy-bot' }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function main(): Promise<number> {
  const token = await workloadToken();
  const stepup = new StepUpClient({ baseUrl: stepupUrl, token });

  // 1. Ask for exactly one action on one resource, for one resource server.
  const request = await stepup.requestElevation({
    action: 'db:DropTable',
    resource: 'prod/orders',
    audience: 'orders-db',
    justification: 'The orders migration finished yesterday; the legacy table is no longer read.',
  });
  console.log(`asked for approval: request ${request.id}, binding code ${request.bindingCode}`);
  if (local && request.initialStatus === 'pending') {
    console.log('approve it as U0ALICE (the local Slack stand-in) with:');
    console.log(
      `  curl -s -X POST ${stepupUrl}/dev/slack/click -H 'content-type: application/json' ` +
        `-d '{"auth_req_id":"${request.id}","user":"U0ALICE","decision":"approve"}'`,
    );
  }

  // 2. Wait for the humans. Ctrl+C stops waiting and withdraws the request.
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort(new Error('interrupted')));
  let last = '';
  let granted;
  try {
    granted = await request.waitForToken({
      signal: stop.signal,
      onUpdate: (p) => {
        const line = `${p.status}: ${p.approvals.length}/${p.quorum ?? '?'} approvals`;
        if (line !== last) console.log(`  ${line} (${Math.round(p.elapsedMs / 1000)} s)`);
        last = line;
      },
    });
  } catch (error) {
    if (stop.signal.aborted) {
      await request.cancel();
      console.log('stopped; the request was withdrawn');
      return 130;
    }
    if (error instanceof DeniedError) console.log(`not dropping the table: denied (${error.reason})`);
    else if (error instanceof ExpiredError) console.log('not dropping the table: nobody approved in time');
    else if (error instanceof CancelledError)
      console.log('not dropping the table: the request was withdrawn');
    else throw error;
    return 1;
  }

  // 3. Use the token at once, once, for exactly the approved action.
  const response = await fetch(`${resourceUrl}/tables/prod/orders`, {
    method: 'DELETE',
    headers: { authorization: `${granted.tokenType} ${granted.accessToken}` },
  });
  console.log(`resource server answered ${response.status}: ${await response.text()}`);
  return response.ok ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
