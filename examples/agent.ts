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
import { StepUpClient } from '../client/agent';
import { printHowToApprove, reportNoToken, run, stepupUrl, workloadToken } from './example-support';

const resourceUrl = (process.env.RESOURCE_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '');

async function main(): Promise<number> {
  const token = await workloadToken('deploy-bot');
  const stepup = new StepUpClient({ baseUrl: stepupUrl, token });

  // 1. Ask for exactly one action on one resource, for one resource server.
  const request = await stepup.requestElevation({
    action: 'db:DropTable',
    resource: 'prod/orders',
    audience: 'orders-db',
    justification: 'The orders migration finished yesterday; the legacy table is no longer read.',
  });
  console.log(`asked for approval: request ${request.id}, binding code ${request.bindingCode}`);
  printHowToApprove(request);

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
    reportNoToken(error, 'dropping the table');
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

run(main);
