import { PolicyTestFileError, PolicyValidationError } from '../../lambdas/loaders/policy-workspace';
import { StepUpError } from '../../lambdas/domain/errors';
import { StepUpApiError } from '../agent';
import { serveStdio } from '../mcp/server';
import {
  AGENT_USAGE,
  cancelCommand,
  devCommand,
  requestCommand,
  statusCommand,
  waitCommand,
  type AgentContext,
} from './agent-commands';
import { noPositionals, parseCommandLine, UsageError } from './args';
import { agentsCommand, AGENTS_USAGE } from './agents-command';
import { auditCommand, AUDIT_USAGE } from './audit-command';
import { clientFor, connection, CONNECTION_OPTIONS } from './connection';
import { credentialsCommand, CREDENTIALS_USAGE } from './credentials-command';
import { EXIT, POLICY_USAGE_EXIT } from './exit-codes';
import { policyCommand, POLICY_USAGE, type Output } from './policy-command';
import { TRACE_OPTIONS } from './trace-flags';

const COMMANDS = `usage: stepup <command>

commands:
  request           ask for approval of one action (--wait: wait and print the token)
  wait ID           wait for a request made earlier and print its token
  status ID         show a request: status, approvals, audit trail
  cancel ID         withdraw a pending request
  credentials aws ID  exchange an approved request's token, once, for AWS credentials
  audit             every agent's audit events (operators; --follow, --json, filters)
  audit verify ID   check the hash chain of a request's audit trail
  agents            every agent's activity and kill switch (operators)
  dev token         mint a workload JWT from the local runtime (npm start)
  mcp               run the MCP server on stdio
  policy check      validate the Cedar policy set
  policy explain    show what stepup decides for one request
  policy test       run the policy test cases (policies/tests/*.json)`;

const USAGE = `${COMMANDS}\n\n${AGENT_USAGE}\n\n${CREDENTIALS_USAGE}\n\n${AUDIT_USAGE}\n\n${AGENTS_USAGE}\n\n${POLICY_USAGE}`;

const AGENT_COMMANDS: Record<
  string,
  (argv: readonly string[], output: Output, context: AgentContext) => Promise<number>
> = {
  request: requestCommand,
  wait: waitCommand,
  status: statusCommand,
  cancel: cancelCommand,
  credentials: credentialsCommand,
  audit: auditCommand,
  agents: agentsCommand,
  dev: devCommand,
  mcp: mcpCommand,
};

/** `stepup mcp`: the MCP server on stdio. Only JSON-RPC may go to stdout, so it prints nothing there. */
async function mcpCommand(argv: readonly string[], _output: Output, context: AgentContext): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
    'trace-session': TRACE_OPTIONS['trace-session'],
    model: TRACE_OPTIONS.model,
    ...CONNECTION_OPTIONS,
  });
  noPositionals(positionals);
  const client = clientFor(connection(context.env, values));
  await serveStdio({ client, trace: { sessionId: values['trace-session'], model: values.model } });
  return EXIT.ok;
}

function usageExit(output: Output, error: UsageError, code: number, usage: string): number {
  output.err(`stepup: ${error.message}\n\n${usage}`);
  return code;
}

async function runAgentCommand(
  run: (argv: readonly string[], output: Output, context: AgentContext) => Promise<number>,
  argv: readonly string[],
  output: Output,
  context: AgentContext,
): Promise<number> {
  try {
    return await run(argv, output, context);
  } catch (error) {
    if (error instanceof UsageError) {
      return usageExit(
        output,
        error,
        EXIT.usage,
        run === credentialsCommand ? CREDENTIALS_USAGE : run === auditCommand ? AUDIT_USAGE : AGENT_USAGE,
      );
    }
    if (error instanceof StepUpApiError) {
      output.err(`stepup: ${error.message}`);
      return EXIT.error;
    }
    output.err(`stepup: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.error;
  }
}

/**
 * Runs one `stepup` command. `stepup policy …` and help answer synchronously; the commands that
 * talk to stepup answer with a promise.
 * @returns the exit code (see `exit-codes.ts`): 0 ok, 1 failure, 2 denied / 3 expired / 4 cancelled
 *   (request, wait), 64 usage error (2 for `stepup policy`), 130 interrupted
 */
export function runCommand(
  argv: readonly string[],
  output: Output,
  context: AgentContext = { env: process.env },
): number | Promise<number> {
  const [command, ...rest] = argv;
  const agentCommand = command === undefined ? undefined : AGENT_COMMANDS[command];
  if (agentCommand) return runAgentCommand(agentCommand, rest, output, context);
  try {
    if (command === 'policy') {
      try {
        return policyCommand(rest, output);
      } catch (error) {
        if (error instanceof UsageError) {
          return usageExit(output, error, POLICY_USAGE_EXIT, `${COMMANDS}\n\n${POLICY_USAGE}`);
        }
        throw error;
      }
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      output.out(USAGE);
      return EXIT.ok;
    }
    throw new UsageError(command === undefined ? 'missing command' : `unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError) {
      return usageExit(output, error, EXIT.usage, `${COMMANDS}\n\nMore: stepup help`);
    }
    if (
      error instanceof PolicyValidationError ||
      error instanceof PolicyTestFileError ||
      error instanceof StepUpError
    ) {
      output.err(`stepup: ${error.message}`);
      return EXIT.error;
    }
    throw error;
  }
}

/** The process-bound context: environment, Ctrl+C, and a live progress line when stderr is a terminal. */
function processContext(command: string | undefined): { context: AgentContext; done: () => void } {
  const controller = new AbortController();
  const waits = command === 'request' || command === 'wait' || command === 'credentials';
  const onSigint = () => controller.abort(new Error('interrupted'));
  if (waits) process.once('SIGINT', onSigint);
  const redraw = process.stderr.isTTY
    ? (line: string) => process.stderr.write(`\r\x1b[2K${line}`)
    : undefined;
  return {
    context: { env: process.env, signal: controller.signal, redraw },
    done: () => process.removeListener('SIGINT', onSigint),
  };
}

/**
 * The `stepup` CLI, as `bin/stepup.cjs` calls it: `process.exitCode = runCli(argv, output)`.
 * Synchronous commands return their exit code. For the commands that talk to stepup (which are
 * asynchronous) it returns 0 at once and sets `process.exitCode` when they finish; the process
 * stays alive until then. Prefer {@link main}, which awaits either kind.
 * @returns the exit code, or 0 provisionally for an asynchronous command
 */
export function runCli(argv: readonly string[], output: Output): number {
  const { context, done } = processContext(argv[0]);
  const result = runCommand(argv, output, context);
  if (typeof result === 'number') {
    done();
    return result;
  }
  void result.then(
    (code) => {
      done();
      process.exitCode = code;
    },
    (error: unknown) => {
      done();
      output.err(`stepup: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = EXIT.error;
    },
  );
  return EXIT.ok;
}

/**
 * Runs the CLI to completion and sets `process.exitCode`. The entry point for a shim:
 * `require('../client/cli/main.ts').main(process.argv.slice(2))`.
 * @returns the exit code
 */
export async function main(
  argv: readonly string[],
  output: Output = { out: (line) => console.log(line), err: (line) => console.error(line) },
): Promise<number> {
  const { context, done } = processContext(argv[0]);
  try {
    const code = await runCommand(argv, output, context);
    process.exitCode = code;
    return code;
  } finally {
    done();
  }
}
