import { PolicyValidationError } from '../lambdas/adapters/cedar/policy-set-loader';
import { logger } from '../lambdas/adapters/logger';
import { StepUpError } from '../lambdas/domain/errors';
import { startLocalRuntime } from './runtime';
import { StoreInUseError } from './store-lock';

const USAGE = `usage: npm start -- [--memory] [--port N] [--audit-stdout]

Runs stepup locally: DynamoDB (dynalite), the CDK-synthesized state machine, the API, and a Slack
stand-in. Audit events are exported to <data dir>/audit.jsonl; --audit-stdout also prints each one.
Environment: PORT, STEPUP_CONFIG, STEPUP_POLICIES, STEPUP_DATA_DIR, STEPUP_PUBLIC_URL, SLACK_API_URL,
SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, LOG_LEVEL (DEBUG, INFO, WARN, ERROR, SILENT; default INFO).`;

function parseArgs(argv: string[]): { memory: boolean; port?: number; auditStdout: boolean } {
  let memory = false;
  let auditStdout = false;
  let port: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--memory') memory = true;
    else if (arg === '--audit-stdout') auditStdout = true;
    else if (arg === '--port') port = Number(argv[++i]);
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`unknown argument: ${arg}\n\n${USAGE}`);
      process.exit(2);
    }
  }
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    console.error('--port must be an integer between 0 and 65535');
    process.exit(2);
  }
  return { memory, port, auditStdout };
}

function banner(
  url: string,
  passkeyUrl: string,
  dataDir: string | undefined,
  standIn: boolean,
  approver: string,
  teamId: string,
): string {
  return `
stepup is running (local mode)

  API              ${url}/v1/requests
  Health           ${url}/health
  JWKS             ${url}/.well-known/jwks.json
  Slack            ${standIn ? `stand-in: messages at ${url}/dev/slack/messages` : 'real Slack (SLACK_BOT_TOKEN set)'}
  Console          ${url}/console
  Approval pages   ${passkeyUrl}/approval/… (passkey votes; localhost: WebAuthn refuses IP addresses)
  Data             ${dataDir ?? 'in memory (--memory)'}

Try it (copy-paste):

  AGENT=$(curl -s -X POST ${url}/dev/token -H 'content-type: application/json' -d '{"sub":"deploy-bot"}' | jq -r .access_token)
  REQ=$(curl -s -X POST ${url}/v1/requests -H "authorization: Bearer $AGENT" -H 'content-type: application/json' \\
    -d '{"action":"db:DropTable","resource":"prod/orders","audience":"orders-db","justification":"drop the legacy table"}' | jq -r .auth_req_id)
  curl -s -X POST ${url}/dev/slack/click -H 'content-type: application/json' -d "{\\"auth_req_id\\":\\"$REQ\\",\\"user\\":\\"${approver}\\",\\"decision\\":\\"approve\\"}"; echo
  curl -s -X POST ${url}/v1/token -H "authorization: Bearer $AGENT" -d grant_type=urn:openid:params:grant-type:ciba -d auth_req_id=$REQ; echo

(team ${teamId}; see README.md for the full walkthrough, including introspection.)
Press Ctrl+C to stop.
`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  logger.setLogLevel(
    (process.env.LOG_LEVEL ?? 'INFO').toUpperCase() as Parameters<typeof logger.setLogLevel>[0],
  );
  console.log('stepup: synthesizing the state machine from the CDK app and starting…');
  const started = Date.now();
  const runtime = await startLocalRuntime({
    memory: args.memory,
    port: args.port,
    auditStdout: args.auditStdout,
  });
  const group = runtime.config.approverGroups[runtime.config.defaults.approvers];
  console.log(
    banner(
      runtime.url,
      runtime.passkeyUrl,
      runtime.dataDir,
      Boolean(runtime.slack),
      group?.members[0] ?? 'U0ALICE',
      runtime.config.slack.teamId,
    ),
  );
  console.log(`(started in ${Date.now() - started} ms)`);
  let stopping = false;
  const shutdown = () => {
    // The signal often arrives twice (the terminal signals the whole process group, and npm and
    // tsx relay it as well): the repeat is ignored, as stop() ends within a few seconds anyway.
    if (stopping) return;
    stopping = true;
    console.log('\nstepup: stopping');
    runtime.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('stepup: stopped with an error:', (error as Error).message);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof StepUpError || error instanceof PolicyValidationError)
    console.error(`stepup: ${error.message}`);
  else if (error instanceof StoreInUseError) {
    console.error(
      `stepup: ${error.message}; stop that one, or start this one with --memory or another STEPUP_DATA_DIR`,
    );
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`stepup: port already in use (${(error as Error).message}); set PORT or pass --port`);
  } else console.error('stepup: failed to start:', error);
  process.exit(1);
});
