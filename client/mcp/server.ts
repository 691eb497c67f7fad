import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import {
  InvalidRequestError,
  StepUpApiError,
  type AwsCredentials,
  type ElevationHandle,
  type GrantedToken,
  type RequestStatus,
  type StepUpClient,
  type WaitProgress,
} from '../agent';
import { registerElevationTask, TaskCalls, taskServerOptions } from './elevation-task';
import { registerListElevationOptions } from './elevation-options-tool';
import { AWS_CREDENTIALS_OUTPUT, ELEVATION_OUTPUT } from './output-schemas';
import { NO_REWORDING, refusal } from './refusals';
import { mcpTrace, type McpTraceDefaults } from './trace';
import { NO_ELICITATION } from './no-elicitation';

/** The MCP server's name and version, as shown to MCP hosts. */
export const MCP_SERVER_INFO = { name: 'stepup', version: '0.1.0' } as const;

/** Longest `wait_seconds` a tool call accepts. */
export const MAX_WAIT_SECONDS = 300;

/** `wait_seconds` when the model gives none. Below the common 60 s tool-call timeout of MCP hosts. */
export const DEFAULT_WAIT_SECONDS = 30;

const TOKEN_RULES =
  'The token authorizes exactly one action on one resource at one audience (the resource server), ' +
  'works ONCE, and expires within minutes: use it immediately for that one call, send it as ' +
  '"Authorization: <token_type> <access_token>" to that resource server only, never log or repeat it, ' +
  'and request a new approval for any other or repeated action.';

const BINDING_CODE_RULE =
  'While it is pending, show your user the binding_code (e.g. "waiting for approval, binding code ' +
  'K9ZP-EVXV"): the approvers see the same code in Slack, so your user can tell them which request is theirs.';

const HOW_OFTEN =
  'check_elevation long-polls: ONE call waits up to wait_seconds for the decision and answers as soon as ' +
  'it comes. Call it once; call it again only when it returns status "pending" (do not poll in a tight ' +
  'loop, and never with wait_seconds 0 in a loop).';

const REQUEST_DESCRIPTION = [
  'Ask the humans who own a resource to approve ONE high-risk action (for example dropping a table, ' +
    'rotating a production secret, moving money) before you perform it, and get a single-use access token ' +
    'for it. Policy may also approve at once, or forbid the action outright.' +
    ' Use the exact action names list_elevation_options returns; do not guess them.',
  TOKEN_RULES,
  'Approvers read the justification in Slack next to the structured action, resource and audience: state ' +
    'plainly and truthfully what you will do and why. The call waits up to wait_seconds for the decision; ' +
    'if none came yet it returns status "pending" with an auth_req_id: then call check_elevation with it ' +
    '(do not call request_elevation again for the same action, that pages the approvers twice).',
  BINDING_CODE_RULE,
  HOW_OFTEN,
  'Every answer has a status and instructions: follow the instructions. The refusals differ: denied (a human ' +
    'decided), forbidden_by_policy (no human involved), invalid_request (fix the named field), expired, ' +
    'cancelled, failed, unauthenticated (this agent’s own credential was refused).',
  NO_REWORDING,
].join('\n\n');

const CHECK_DESCRIPTION = [
  'Check a request made with request_elevation: returns its status (pending, approved, denied, expired, ' +
    'cancelled, failed) and approvals so far, or the single-use access token once it is approved. The token is ' +
    'handed out only once: keep it until you use it.',
  HOW_OFTEN,
  BINDING_CODE_RULE,
  TOKEN_RULES,
  NO_REWORDING,
].join('\n\n');

/** Options of {@link createStepUpMcpServer}. */
export interface StepUpMcpServerOptions {
  /** The agent's client (its workload identity is the agent the approvers see). */
  readonly client: StepUpClient;
  /** @default {@link DEFAULT_WAIT_SECONDS} */
  readonly defaultWaitSeconds?: number;
  /** The session and model put into every request's trace (the tool call id comes from each call). */
  readonly trace?: McpTraceDefaults;
  /** Longest `wait_seconds` a call may ask for. @default {@link MAX_WAIT_SECONDS} */
  readonly maxWaitSeconds?: number;
  /**
   * Offers `request_elevation` as an MCP task (experimental in the SDK) a host can poll for the whole
   * approval window; the calls that ask for one are those `tasks` notes on the transport. Needs a
   * server that lives as long as the approval (stdio), not one per HTTP call.
   * @default none
   */
  readonly tasks?: TaskCalls;
}

type ToolResult = Record<string, unknown>;

function result(value: ToolResult, isError = false): CallToolResult {
  const json = JSON.stringify(value, null, 2);
  const text = typeof value.instructions === 'string' ? `${value.instructions}\n\n${json}` : json;
  return {
    content: [{ type: 'text', text }],
    structuredContent: value,
    ...(isError ? { isError: true } : {}),
  };
}

function approved(token: GrantedToken): ToolResult {
  const detail = token.authorizationDetails[0];
  return {
    status: 'approved',
    auth_req_id: token.requestId,
    access_token: token.accessToken,
    token_type: token.tokenType,
    expires_in: token.expiresIn,
    expires_at: token.expiresAt.toISOString(),
    authorization_details: token.authorizationDetails,
    instructions: detail
      ? `Use this token now, once, for ${detail.actions.join(', ')} on ${detail.identifier} at ` +
        `${detail.locations.join(', ')}: send "Authorization: ${token.tokenType} <access_token>". ` +
        'It is valid for nothing else; ask again for any further action.'
      : TOKEN_RULES,
  };
}

function pending(
  status: RequestStatus | undefined,
  handle: Pick<ElevationHandle, 'id' | 'bindingCode'>,
): ToolResult {
  return {
    status: 'pending',
    auth_req_id: handle.id,
    binding_code: handle.bindingCode,
    approvals: status?.approvers.length ?? 0,
    approvals_needed: status?.requirements.quorum,
    approver_groups: status?.requirements.approverGroups,
    expires_at: status?.expiresAt,
    instructions:
      `The approvers have not decided yet. Do not perform the action. Tell your user the binding code ` +
      `${handle.bindingCode} (the approvers see it in Slack). Then call check_elevation with this auth_req_id ` +
      'once: it waits for the decision. Call it again only if it answers pending again; do not call ' +
      'request_elevation again for this action.',
  };
}

function failure(error: unknown): CallToolResult {
  if (error instanceof StepUpApiError) {
    return result(
      {
        status: 'error',
        error: error.code,
        error_description: error.message,
        instructions:
          'stepup could not answer (nothing was decided). Do not perform the action. You may try this call ' +
          'once more later; if it fails again, tell the user what stepup said.',
      },
      true,
    );
  }
  throw error;
}

/**
 * What a tool call uses of the MCP request: its cancellation and progress notifications for waiting,
 * its id, session and `_meta` for the request's trace (`mcpTrace`).
 */
export interface WaitExtra {
  readonly signal: AbortSignal;
  readonly requestId?: string | number;
  readonly sessionId?: string;
  readonly _meta?: { progressToken?: string | number; traceparent?: unknown };
  sendNotification(n: {
    method: 'notifications/progress';
    params: {
      progressToken: string | number;
      progress: number;
      total?: number;
      message?: string;
      _meta?: Record<string, unknown>;
    };
  }): Promise<void>;
}

/**
 * The first progress notification of `request_elevation` (when the host sent a progressToken): the
 * auth_req_id and binding code, in words and in `_meta`, before any waiting, so a host whose own timeout
 * ends the call still has them (and the model can go on with check_elevation).
 */
async function announceProgress(handle: ElevationHandle, extra: WaitExtra): Promise<void> {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return;
  await extra
    .sendNotification({
      method: 'notifications/progress',
      params: {
        progressToken,
        progress: 0,
        message:
          `pending: auth_req_id ${handle.id}, binding code ${handle.bindingCode}. The approvers were paged; ` +
          `if this call ends without an answer, call check_elevation with auth_req_id ${handle.id}.`,
        _meta: { 'stepup/auth_req_id': handle.id, 'stepup/binding_code': handle.bindingCode },
      },
    })
    .catch(() => undefined);
}

/**
 * Waits for `handle` for at most `seconds` (and not past the MCP call's own cancellation), sending
 * MCP progress notifications when the caller asked for them.
 */
async function waitUpTo(handle: ElevationHandle, seconds: number, extra: WaitExtra): Promise<ToolResult> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error('wait_seconds elapsed')), seconds * 1000);
  const signal = AbortSignal.any([extra.signal, timeout.signal]);
  const progressToken = extra._meta?.progressToken;
  const onUpdate = (p: WaitProgress) => {
    if (progressToken === undefined) return;
    const needed = p.quorum !== undefined ? `/${p.quorum}` : '';
    void extra
      .sendNotification({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress: Math.min(seconds, Math.round(p.elapsedMs / 1000)),
          total: seconds,
          message: `${p.status}: ${p.approvals.length}${needed} approvals`,
        },
      })
      .catch(() => undefined);
  };
  try {
    return approved(await handle.waitForToken({ signal, onUpdate }));
  } catch (error) {
    if (!signal.aborted) {
      const ended = refusal(error, handle.id);
      if (ended) return ended;
      throw error;
    }
    if (extra.signal.aborted) throw error;
    return pending(await handle.status().catch(() => undefined), handle);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An MCP server with the tools `request_elevation`, `check_elevation`, `get_aws_credentials` and
 * `list_elevation_options`,
 * acting as the agent `client` authenticates as. Connect it to a transport (e.g. {@link serveStdio}).
 */
export function createStepUpMcpServer(options: StepUpMcpServerOptions): McpServer {
  const { client } = options;
  const defaultWait = options.defaultWaitSeconds ?? DEFAULT_WAIT_SECONDS;
  const server = new McpServer(MCP_SERVER_INFO, {
    instructions:
      'stepup gets human approval for one high-risk action at a time. Call request_elevation before ' +
      'any destructive or sensitive action that needs it, and perform the action only with the token it ' +
      `returns. ${NO_REWORDING}`,
    ...(options.tasks ? taskServerOptions() : {}),
    jsonSchemaValidator: NO_ELICITATION,
  });
  const maxWait = options.maxWaitSeconds ?? MAX_WAIT_SECONDS;
  const waitSeconds = z
    .number()
    .int()
    .min(0)
    .max(maxWait)
    .optional()
    .describe(`How long to wait for the decision in this call, 0–${maxWait} s (default ${defaultWait}).`);

  const requestTool = {
    title: 'Request human approval for one action',
    description: REQUEST_DESCRIPTION,
    inputSchema: {
      action: z
        .string()
        .min(1)
        .max(128)
        .describe('The one action, as service:Verb, e.g. db:DropTable, secrets:Rotate, payments:Transfer.'),
      resource: z.string().min(1).max(512).describe('The one resource it applies to, e.g. prod/orders.'),
      audience: z
        .string()
        .min(1)
        .max(256)
        .describe('The resource server that will receive the token and perform the action, e.g. orders-db.'),
      justification: z
        .string()
        .min(1)
        .max(2000)
        .describe('Why, in plain truthful words, for the approvers. Shown to them as your unverified claim.'),
      on_behalf_of: z
        .string()
        .max(256)
        .optional()
        .describe('The human you act for (id or email), if any. Shown as asserted by the agent, unverified.'),
      parameters: z
        .record(z.string(), z.unknown())
        .optional()
        .describe(
          'The exact arguments you will send (a JSON object, at most 8 KB), e.g. {"sql":"DROP TABLE orders"}. ' +
            'Approvers see them, and the token is valid only with exactly these arguments.',
        ),
      wait_seconds: waitSeconds,
    },
    outputSchema: ELEVATION_OUTPUT,
    annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: true },
  };

  type RequestElevationInput = z.infer<z.ZodObject<typeof requestTool.inputSchema>>;

  /**
   * Creates the request, tells the host its auth_req_id and binding code at once (`announce`, before
   * any waiting, so no host timeout can lose them), then waits up to `waitFor(handle)` seconds.
   */
  const elevate = async (
    input: RequestElevationInput,
    extra: WaitExtra,
    waitFor: (handle: ElevationHandle) => number,
    announce: (handle: ElevationHandle) => Promise<void>,
  ): Promise<CallToolResult> => {
    let handle: ElevationHandle;
    try {
      handle = await client.requestElevation({
        action: input.action,
        resource: input.resource,
        audience: input.audience,
        justification: input.justification,
        onBehalfOf: input.on_behalf_of,
        parameters: input.parameters,
        trace:
          extra.requestId === undefined
            ? undefined
            : mcpTrace({ ...extra, requestId: extra.requestId }, options.trace),
      });
    } catch (error) {
      const ended = refusal(error, undefined, 'create');
      return ended ? result(ended) : failure(error);
    }
    try {
      if (handle.initialStatus === 'pending') await announce(handle);
      const wait = waitFor(handle);
      // Approved by policy: the token is ready now, so collect it even when asked not to wait.
      return result(
        await waitUpTo(handle, handle.initialStatus === 'approved' ? Math.max(wait, 5) : wait, extra),
      );
    } catch (error) {
      return failure(error);
    }
  };

  if (options.tasks) {
    registerElevationTask(
      server,
      'request_elevation',
      requestTool,
      {
        elevate,
        announce: announceProgress,
        defaultWaitSeconds: defaultWait,
      },
      options.tasks,
    );
  } else {
    server.registerTool('request_elevation', requestTool, (input, extra) =>
      elevate(
        input,
        extra,
        () => input.wait_seconds ?? defaultWait,
        (handle) => announceProgress(handle, extra),
      ),
    );
  }

  server.registerTool(
    'check_elevation',
    {
      title: 'Check an approval request',
      description: CHECK_DESCRIPTION,
      inputSchema: {
        auth_req_id: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[A-Za-z0-9._-]+$/)
          .describe('The auth_req_id request_elevation returned.'),
        wait_seconds: waitSeconds.describe(
          `How long this one call waits for the decision, 0–${maxWait} s (default ${defaultWait}). ` +
            '0 answers at once; prefer the default.',
        ),
      },
      outputSchema: ELEVATION_OUTPUT,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    async (input, extra) => {
      try {
        const status = await client.getStatus(input.auth_req_id);
        const expired = status.status === 'pending' && Date.parse(status.expiresAt) <= Date.now();
        const wait = input.wait_seconds ?? defaultWait;
        if (status.status === 'pending' && !expired && wait === 0) {
          return result(pending(status, { id: status.id, bindingCode: status.bindingCode }));
        }
        if (status.status === 'approved' && status.tokenDelivered) {
          return result({
            status: 'approved',
            auth_req_id: status.id,
            token_delivered: true,
            token_used: status.tokenUsed,
            instructions:
              'The token for this request was already handed out by an earlier call and cannot be ' +
              'fetched again. If it was used or lost, ask for a new approval.',
          });
        }
        // Decided (or waiting was asked for): polls of a decided request answer at once.
        const handle = await client.resume(status.id);
        return result(await waitUpTo(handle, Math.max(wait, 5), extra));
      } catch (error) {
        const ended = refusal(error, input.auth_req_id);
        return ended ? result(ended) : failure(error);
      }
    },
  );
  registerGetAwsCredentials(server, client);
  registerListElevationOptions(server, client);
  return server;
}

const AWS_CREDENTIALS_DESCRIPTION = [
  'Exchange an approved request for temporary AWS credentials that can make exactly the approved AWS API ' +
    'call (the one IAM action on the one resource ARN of the request), for requests whose audience is an ' +
    'AWS target. Pass the access_token that request_elevation or check_elevation returned, or, if you have ' +
    'not collected the token yet, the auth_req_id.',
  'Returns access_key_id, secret_access_key, session_token, expiration and region: use them at once with ' +
    'an AWS SDK or the AWS CLI (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION) ' +
    'for that one call. They expire within about 15 minutes (the approved call may stop being allowed ' +
    'sooner, at the approval’s own lifetime), can do nothing else, and every call made with them is ' +
    'recorded in CloudTrail under this agent and request. The exchange works ONCE: a second call for the ' +
    'same approval is refused, so keep the credentials for the task and never log or show them.',
  NO_REWORDING,
].join('\n\n');

function issued(credentials: AwsCredentials, requestId: string | undefined): ToolResult {
  return {
    status: 'issued',
    ...(requestId ? { auth_req_id: requestId } : {}),
    access_key_id: credentials.accessKeyId,
    secret_access_key: credentials.secretAccessKey,
    session_token: credentials.sessionToken,
    expiration: credentials.expiration.toISOString(),
    region: credentials.region,
    instructions:
      `Use these credentials now for the one approved AWS call, in region ${credentials.region}, before ` +
      `${credentials.expiration.toISOString()}. They allow nothing else and cannot be fetched again.`,
  };
}

/** The stepup token for `id`, collected now; or the tool answer when there is none to collect. */
async function tokenOf(
  client: StepUpClient,
  id: string,
  signal: AbortSignal,
): Promise<{ readonly token: GrantedToken } | { readonly answer: ToolResult }> {
  const status = await client.getStatus(id);
  if (status.status === 'pending' && Date.parse(status.expiresAt) > Date.now()) {
    return { answer: pending(status, { id: status.id, bindingCode: status.bindingCode }) };
  }
  if (status.status === 'approved' && status.tokenUsed) {
    const answer: ToolResult = {
      status: 'error',
      auth_req_id: id,
      error: 'already_used',
      error_description:
        'This approval was already used: its credentials (or its token) were handed out once.',
      instructions:
        'They cannot be fetched again. Use the credentials you received; if they are lost or expired, ask ' +
        'the user whether to request a new approval.',
    };
    return { answer };
  }
  if (status.status === 'approved' && status.tokenDelivered) {
    const answer: ToolResult = {
      status: 'error',
      auth_req_id: id,
      error: 'token_already_collected',
      error_description:
        'The token for this request was already handed out (by request_elevation or check_elevation).',
      instructions:
        'Call get_aws_credentials with that access_token instead. If it was used or lost, ask the user ' +
        'whether to request a new approval.',
    };
    return { answer };
  }
  // Decided: the poll answers at once (a token, or how the request ended).
  return { token: await (await client.resume(id)).waitForToken({ signal }) };
}

/** `get_aws_credentials`: an approved request's token, exchanged once for AWS credentials. */
function registerGetAwsCredentials(server: McpServer, client: StepUpClient): void {
  server.registerTool(
    'get_aws_credentials',
    {
      title: 'Get AWS credentials for one approved AWS call',
      description: AWS_CREDENTIALS_DESCRIPTION,
      inputSchema: {
        access_token: z
          .string()
          .min(1)
          .max(8192)
          .optional()
          .describe(
            'The access_token request_elevation or check_elevation returned for the approved request.',
          ),
        auth_req_id: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[A-Za-z0-9._-]+$/)
          .optional()
          .describe('The approved request, when its token was not collected yet (instead of access_token).'),
      },
      outputSchema: AWS_CREDENTIALS_OUTPUT,
      annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (input, extra) => {
      try {
        let token: string | GrantedToken;
        if (input.auth_req_id !== undefined && input.access_token === undefined) {
          const collected = await tokenOf(client, input.auth_req_id, extra.signal);
          if ('answer' in collected) return result(collected.answer, collected.answer.status === 'error');
          token = collected.token;
        } else if (input.access_token !== undefined && input.auth_req_id === undefined) {
          token = input.access_token;
        } else {
          return result(
            {
              status: 'invalid_request',
              error: 'invalid_request',
              error_description: 'Give exactly one of access_token and auth_req_id.',
              instructions:
                'Call get_aws_credentials again with exactly one of access_token and auth_req_id.',
            },
            true,
          );
        }
        return result(issued(await client.exchangeForAwsCredentials(token), input.auth_req_id));
      } catch (error) {
        if (error instanceof InvalidRequestError) {
          return result(
            {
              status: 'invalid_request',
              ...(input.auth_req_id ? { auth_req_id: input.auth_req_id } : {}),
              error: error.code,
              error_description: error.message,
              instructions:
                'stepup refused the exchange: pass the access_token of an approved, unused request for an ' +
                'AWS audience (or its auth_req_id). A token works once; if it was used, ask the user ' +
                'whether to request a new approval.',
            },
            true,
          );
        }
        const ended = refusal(error, input.auth_req_id);
        return ended ? result(ended) : failure(error);
      }
    },
  );
}

/**
 * Serves {@link createStepUpMcpServer} on stdin/stdout until stdin closes. Nothing else may write
 * to stdout meanwhile; diagnostics go to stderr.
 */
export async function serveStdio(options: StepUpMcpServerOptions): Promise<void> {
  // One server for the whole session: it can keep MCP tasks for as long as an approval takes.
  const tasks = new TaskCalls();
  const server = createStepUpMcpServer({ tasks, ...options });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  tasks.watch(transport);
  await closed;
  await server.close();
}
