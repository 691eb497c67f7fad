import {
  CancelledError,
  DeniedError,
  ExpiredError,
  StepUpApiError,
  type ElevationHandle,
  type GrantedToken,
  type RequestStatus,
} from '../agent';
import { traceBody } from '../agent/trace';
import { noPositionals, onePositional, parseCommandLine, required, UsageError } from './args';
import { clientFor, connection, CONNECTION_OPTIONS, stepupUrl } from './connection';
import { EXIT } from './exit-codes';
import { parametersFlag } from './parameters-flag';
import { duration, groupsLabel, WaitReporter } from './progress';
import { ACTION_OPTIONS, signalsFlag } from './action-flags';
import { TRACE_OPTIONS, TRACE_USAGE, traceFlags } from './trace-flags';
import { trailLines } from './trail-lines';
import type { Output } from './policy-command';

export const AGENT_USAGE = `usage:
  stepup request --action ACTION --resource RESOURCE --audience ID --reason TEXT
                 [--on-behalf-of HUMAN] [--ttl SECONDS] [--signal name=value]...
                 [--parameters JSON|@file]
${TRACE_USAGE}
                 [--idempotency-key KEY] [--wait] [--json]
  stepup wait    ID [--json]
  stepup status  ID [--json]
  stepup cancel  ID
  stepup dev token --sub NAME
  stepup mcp     [--trace-session ID] [--model NAME]

request   asks for one action on one resource at one audience. Prints the request id on stdout
          (and the binding code on stderr). With --wait it waits for the decision, showing progress
          on stderr, and prints only the token on stdout: TOKEN=$(stepup request ... --wait).
          --parameters binds the approval to the exact arguments (a JSON object, or @file).
          The trace flags say where the request comes from, for the audit trail and the token's
          trace claim: --prompt-file sends only the SHA-256 of the file, never the prompt.
wait      waits for a request made earlier, like request --wait.
status    shows a request: status, approvals, expiry, audit trail.
cancel    withdraws a pending request.
dev token mints a workload JWT for NAME (the local runtime of npm start only).
mcp       runs the MCP server on stdio (tools request_elevation, check_elevation and
          get_aws_credentials). Each request's trace carries the MCP request id as tool_call_id,
          a traceparent from the call's _meta, and --trace-session / --model.

Connection: --url URL (default $STEPUP_URL, else http://127.0.0.1:3000);
            --token JWT (default $STEPUP_TOKEN, else the file named by $STEPUP_TOKEN_FILE).
Exit codes of request/wait: 0 approved, 2 denied, 3 expired, 4 cancelled, 1 error,
            64 usage error, 130 interrupted (the request stays pending).`;

/** What the agent commands need beyond where output goes. */
export interface AgentContext {
  readonly env: NodeJS.ProcessEnv;
  /** Aborts a wait (Ctrl+C). */
  readonly signal?: AbortSignal;
  /** Rewrites the live progress line on stderr; only when stderr is a terminal. */
  readonly redraw?: (line: string) => void;
  /** Where `--subject-token-stdin` reads from. @default process.stdin */
  readonly stdin?: NodeJS.ReadableStream;
}

/** The flags of `stepup request`. */
const REQUEST_OPTIONS = {
  ...ACTION_OPTIONS,
  reason: { type: 'string' },
  justification: { type: 'string' },
  ttl: { type: 'string' },
  parameters: { type: 'string' },
  'idempotency-key': { type: 'string' },
  wait: { type: 'boolean' },
  json: { type: 'boolean' },
  ...TRACE_OPTIONS,
  ...CONNECTION_OPTIONS,
} as const;

/** The flags of `stepup wait` and `stepup status`. */
const JSON_OPTIONS = { json: { type: 'boolean' }, ...CONNECTION_OPTIONS } as const;

function ttl(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (!/^\d+$/.test(raw) || seconds < 1 || seconds > 3600) {
    throw new UsageError(`--ttl takes whole seconds from 1 to 3600, got "${raw}"`);
  }
  return seconds;
}

function onlyId(positionals: readonly string[], command: string): string {
  return onePositional(positionals, `stepup ${command} takes one request id`);
}

function json(output: Output, value: unknown): void {
  output.out(JSON.stringify(value, null, 2));
}

function tokenJson(token: GrantedToken): Record<string, unknown> {
  return {
    auth_req_id: token.requestId,
    status: 'approved',
    access_token: token.accessToken,
    token_type: token.tokenType,
    expires_in: token.expiresIn,
    authorization_details: token.authorizationDetails,
  };
}

/** The exit code and message for how a wait ended other than with a token. */
function outcome(
  error: unknown,
  requestId: string,
): { code: number; status: string; line: string } | undefined {
  if (error instanceof DeniedError) {
    const policies = error.policies.length > 0 ? ` (policies: ${error.policies.join(', ')})` : '';
    return { code: EXIT.denied, status: 'denied', line: `${error.message}${policies}` };
  }
  if (error instanceof ExpiredError) {
    return { code: EXIT.expired, status: 'expired', line: `expired: ${error.message}` };
  }
  if (error instanceof CancelledError) {
    return {
      code: EXIT.cancelled,
      status: 'cancelled',
      line: `cancelled: request ${requestId} was withdrawn`,
    };
  }
  return undefined;
}

/**
 * Waits for `handle`, showing progress on stderr.
 * @param onOutcome called with how the wait ended when it was not an approval (denied, expired,
 *   cancelled), before the exit code is returned
 * @returns the token, or the exit code of how the wait ended otherwise
 */
export async function waitForOutcome(
  handle: ElevationHandle,
  output: Output,
  context: AgentContext,
  onOutcome?: (error: StepUpApiError, status: string) => void,
): Promise<GrantedToken | number> {
  const reporter = new WaitReporter(
    { line: (text) => output.err(text), redraw: context.redraw },
    handle.bindingCode,
  );
  try {
    const token = await handle.waitForToken({ signal: context.signal, onUpdate: (p) => reporter.update(p) });
    const approvers = reporter.approvals();
    const by = approvers.length > 0 ? ` by ${approvers.join(', ')}` : '';
    reporter.finish(
      `approved${by} after ${reporter.elapsed()}; the token is valid for ${token.expiresIn} s, ` +
        `once, for ${token.authorizationDetails.map((d) => `${d.actions.join(',')} on ${d.identifier}`).join('; ')}`,
    );
    return token;
  } catch (error) {
    if (context.signal?.aborted) {
      reporter.finish(
        `stopped waiting; request ${handle.id} is still pending. Resume: stepup wait ${handle.id}` +
          ` - withdraw: stepup cancel ${handle.id}`,
      );
      return EXIT.interrupted;
    }
    const end = outcome(error, handle.id);
    if (!end) {
      reporter.finish('');
      throw error;
    }
    reporter.finish(end.line);
    if (error instanceof StepUpApiError) onOutcome?.(error, end.status);
    return end.code;
  }
}

/** Waits for `handle`, showing progress; prints the token (only) on stdout. */
async function waitAndPrint(
  handle: ElevationHandle,
  output: Output,
  context: AgentContext,
  asJson: boolean,
): Promise<number> {
  const token = await waitForOutcome(handle, output, context, (error, status) => {
    if (!asJson) return;
    json(output, {
      auth_req_id: handle.id,
      status,
      error: error.body?.error ?? error.code,
      error_description: error.body?.error_description ?? error.message,
      ...(error instanceof DeniedError && error.policies.length > 0 ? { policies: error.policies } : {}),
    });
  });
  if (typeof token === 'number') return token;
  if (asJson) json(output, tokenJson(token));
  else output.out(token.accessToken);
  return EXIT.ok;
}

/** `stepup request`: ask for one action; with --wait, wait and print the token. */
export async function requestCommand(
  argv: readonly string[],
  output: Output,
  context: AgentContext,
): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, REQUEST_OPTIONS);
  noPositionals(positionals);
  if (values.reason !== undefined && values.justification !== undefined) {
    throw new UsageError('give --reason or --justification, not both');
  }
  const justification = required(values.reason ?? values.justification, 'reason');
  const request = {
    action: required(values.action, 'action'),
    resource: required(values.resource, 'resource'),
    audience: required(values.audience, 'audience'),
    justification,
    onBehalfOf: values['on-behalf-of'],
    requestedTtlSeconds: ttl(values.ttl),
    context: signalsFlag(values.signal),
    parameters: parametersFlag(values.parameters),
    trace: traceFlags(values),
    idempotencyKey: values['idempotency-key'],
  };
  const asJson = values.json === true;
  const wait = values.wait === true;
  const client = clientFor(connection(context.env, values));

  let handle: ElevationHandle;
  try {
    handle = await client.requestElevation(request);
  } catch (error) {
    const end = outcome(error, '');
    if (!end || !(error instanceof DeniedError)) throw error;
    output.err(end.line);
    if (asJson) {
      json(output, {
        auth_req_id: error.requestId,
        status: 'denied',
        error: 'access_denied',
        error_description: error.reason,
        policies: error.policies,
      });
    }
    return end.code;
  }

  const what = `${request.action} on ${request.resource} for ${request.audience}`;
  if (!wait) {
    if (asJson) {
      json(output, {
        auth_req_id: handle.id,
        status: handle.initialStatus,
        binding_code: handle.bindingCode,
        expires_in: handle.expiresIn,
        interval: handle.interval,
      });
    } else output.out(handle.id);
    output.err(
      handle.initialStatus === 'approved'
        ? `approved by policy: ${what}. Collect the token within ${duration(handle.expiresIn * 1000)}: stepup wait ${handle.id}`
        : `pending: ${what}; approvers were paged (binding code ${handle.bindingCode}, expires in ` +
            `${duration(handle.expiresIn * 1000)}). Wait: stepup wait ${handle.id} - withdraw: stepup cancel ${handle.id}`,
    );
    return EXIT.ok;
  }
  output.err(
    `requested ${handle.id}: ${what}` +
      (handle.initialStatus === 'approved'
        ? ' (approved by policy)'
        : ` (binding code ${handle.bindingCode})`),
  );
  return waitAndPrint(handle, output, context, asJson);
}

/** `stepup wait ID`: wait for a request made earlier. */
export async function waitCommand(
  argv: readonly string[],
  output: Output,
  context: AgentContext,
): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, JSON_OPTIONS);
  const id = onlyId(positionals, 'wait');
  const client = clientFor(connection(context.env, values));
  const handle = await client.resume(id);
  return waitAndPrint(handle, output, context, values.json === true);
}

function describeStatus(s: RequestStatus, now: number): string[] {
  const lines = [
    `${s.id}  ${s.status}`,
    `  ${s.action} on ${s.resource} for ${s.audience}`,
    `  justification: ${s.justification.replace(/\s*\n\s*/g, ' / ')}`,
  ];
  if (s.onBehalfOf) lines.push(`  on behalf of: ${s.onBehalfOf}`);
  if (s.policyOutcome === 'step_up') {
    lines.push(
      `  approvals: ${s.approvers.length}/${s.requirements.quorum} from ${groupsLabel(s.requirements.approverGroups)}` +
        (s.approvers.length > 0 ? ` (${s.approvers.join(', ')})` : ''),
    );
  } else if (s.policyOutcome) lines.push(`  decided by policy: ${s.policyOutcome.replace('_', '-')}`);
  lines.push(`  policies: ${s.requirements.policies.join(', ') || '(none)'}`);
  lines.push(`  binding code: ${s.bindingCode}`);
  lines.push(`  created: ${s.createdAt}`);
  if (s.status === 'pending') {
    lines.push(`  expires: ${s.expiresAt} (in ${duration(Date.parse(s.expiresAt) - now)})`);
  } else if (s.decidedAt) lines.push(`  decided: ${s.decidedAt}`);
  if (s.denialReason) lines.push(`  denial reason: ${s.denialReason}`);
  if (s.status === 'approved') {
    lines.push(
      `  token: ${s.tokenUsed ? 'used' : s.tokenDelivered ? 'delivered, not used yet' : 'not collected yet'}`,
    );
  }
  lines.push('events:');
  for (const e of s.events) lines.push(`  ${e.at}  ${e.type}  ${e.actor}`);
  lines.push(...trailLines(s.trail));
  return lines;
}

/** The status in the API's own (snake_case) shape, like every other `--json` output. */
function statusJson(s: RequestStatus): Record<string, unknown> {
  return {
    auth_req_id: s.id,
    status: s.status,
    action: s.action,
    resource: s.resource,
    audience: s.audience,
    justification: s.justification,
    on_behalf_of: s.onBehalfOf,
    binding_code: s.bindingCode,
    created_at: s.createdAt,
    expires_at: s.expiresAt,
    policy_outcome: s.policyOutcome,
    requirements: {
      approver_groups: s.requirements.approverGroups,
      quorum: s.requirements.quorum,
      policies: s.requirements.policies,
      max_token_ttl_seconds: s.requirements.maxTokenTtlSeconds,
      escalate_to: s.requirements.escalateTo,
    },
    approvers: s.approvers,
    decided_at: s.decidedAt,
    denial_reason: s.denialReason,
    token_delivered: s.tokenDelivered,
    token_used: s.tokenUsed,
    events: s.events,
    trace: traceBody(s.trace),
    trail: s.trail,
  };
}

/** `stepup status ID`. */
export async function statusCommand(
  argv: readonly string[],
  output: Output,
  context: AgentContext,
): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, JSON_OPTIONS);
  const id = onlyId(positionals, 'status');
  const status = await clientFor(connection(context.env, values)).getStatus(id);
  if (values.json === true) json(output, statusJson(status));
  else describeStatus(status, Date.now()).forEach((line) => output.out(line));
  return EXIT.ok;
}

/** `stepup cancel ID`. */
export async function cancelCommand(
  argv: readonly string[],
  output: Output,
  context: AgentContext,
): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, CONNECTION_OPTIONS);
  const id = onlyId(positionals, 'cancel');
  try {
    await clientFor(connection(context.env, values)).cancel(id);
  } catch (error) {
    if (error instanceof StepUpApiError && error.code === 'conflict') {
      output.err(`stepup: cannot cancel ${id}: it was already decided (see: stepup status ${id})`);
      return EXIT.error;
    }
    throw error;
  }
  output.err(`cancelled ${id}`);
  return EXIT.ok;
}

/** `stepup dev token --sub NAME`: a workload JWT from the local runtime's dev issuer. */
export async function devCommand(
  argv: readonly string[],
  output: Output,
  context: AgentContext,
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'token') throw new UsageError(sub ? `unknown dev command "${sub}"` : 'missing dev command');
  const { values, positionals } = parseCommandLine(rest, {
    sub: { type: 'string' },
    url: CONNECTION_OPTIONS.url,
  });
  noPositionals(positionals);
  const name = required(values.sub, 'sub');
  const url = stepupUrl(context.env, values).replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: name }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    const cause =
      (error as Error).cause instanceof Error ? ((error as Error).cause as Error) : (error as Error);
    output.err(`stepup: could not reach ${url}: ${cause.message}. Is the local runtime running (npm start)?`);
    return EXIT.error;
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.ok && typeof body.access_token === 'string') {
    output.out(body.access_token);
    return EXIT.ok;
  }
  if (response.status === 404) {
    output.err(`stepup: ${url} has no /dev/token: only the local runtime (npm start) mints dev tokens`);
  } else {
    output.err(`stepup: ${String(body.error_description ?? `HTTP ${response.status}`)}`);
  }
  return EXIT.error;
}
