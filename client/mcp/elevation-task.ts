import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  InMemoryTaskStore,
  type CreateTaskRequestHandlerExtra,
  type TaskRequestHandlerExtra,
} from '@modelcontextprotocol/sdk/experimental/tasks';
import type { ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  isJSONRPCRequest,
  McpError,
  type CallToolResult,
  type RequestId,
  type ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import type { ElevationHandle } from '../agent';
import type { WaitExtra } from './server';

/** How long a finished task's answer stays available when the host asks for no ttl of its own. */
const DEFAULT_TASK_TTL_MS = 60 * 60 * 1000;

/** How often a host should poll a task it asked for (`tasks/get`): the decision arrives within one. */
const TASK_POLL_MS = 1000;

/** How often the SDK checks the task when the host did not ask for one and waits in the call itself. */
const IN_CALL_POLL_MS = 100;

/**
 * Seconds past the request's expiry a task keeps waiting: by then `/v1/token` answers how it ended
 * (expired, or the decision an escalation brought).
 */
const PAST_EXPIRY_SECONDS = 5;

/** What {@link registerElevationTask} runs: `request_elevation`'s own create-announce-wait. */
export interface ElevationTaskRun<Input> {
  elevate(
    input: Input,
    extra: WaitExtra,
    waitFor: (handle: ElevationHandle) => number,
    announce: (handle: ElevationHandle) => Promise<void>,
  ): Promise<CallToolResult>;
  /** Tells the host of a call (not a task) the auth_req_id and binding code: the first progress notification. */
  announce(handle: ElevationHandle, extra: WaitExtra): Promise<void>;
  readonly defaultWaitSeconds: number;
}

/**
 * Which tool calls asked for a task. The SDK runs a task-capable tool the host called plainly as a task
 * too (waiting on it inside the call) and hands the tool no sign of the difference, so the calls that
 * carry `task` are noted as they arrive on the transport.
 */
export class TaskCalls {
  private readonly ids = new Set<RequestId>();

  /** Notes every `tools/call` on `transport` that asks for a task. Call after the server connected. */
  watch(transport: Transport): void {
    const deliver = transport.onmessage;
    transport.onmessage = (message, extra) => {
      if (isJSONRPCRequest(message) && message.method === 'tools/call' && message.params?.task) {
        this.ids.add(message.id);
      }
      deliver?.(message, extra);
    };
  }

  /** Whether the call `id` asked for a task (answered once per call). */
  take(id: RequestId): boolean {
    return this.ids.delete(id);
  }
}

/** The McpServer options that turn MCP tasks on: the tasks capability and a task store of its own. */
export function taskServerOptions() {
  return {
    capabilities: { tasks: { requests: { tools: { call: {} } }, list: {}, cancel: {} } },
    taskStore: new InMemoryTaskStore(),
  };
}

/**
 * Registers `request_elevation` as a task-capable tool (`taskSupport: optional`, the SDK's experimental
 * tasks):
 * - a host that asks for a task (`task` in the call) gets the task at once and polls it (`tasks/get`,
 *   `tasks/result`) for the whole approval window: the task ends with the same answer the tool gives
 *   (approved with the token, denied, expired, …). While it works, its `statusMessage` carries the
 *   auth_req_id and binding code, for the user and for check_elevation;
 * - a host that does not is answered in the call after `wait_seconds`, exactly as without tasks, with the
 *   first progress notification carrying the auth_req_id and binding code.
 */
export function registerElevationTask<Input extends { readonly wait_seconds?: number }>(
  server: McpServer,
  name: string,
  tool: {
    readonly title: string;
    readonly description: string;
    readonly inputSchema: ZodRawShapeCompat;
    readonly outputSchema: ZodRawShapeCompat;
    readonly annotations: ToolAnnotations;
  },
  run: ElevationTaskRun<Input>,
  calls: TaskCalls,
): void {
  server.experimental.tasks.registerToolTask(
    name,
    { ...tool, execution: { taskSupport: 'optional' } },
    {
      createTask: async (args: unknown, extra: CreateTaskRequestHandlerExtra) => {
        const input = args as Input;
        const asked = calls.take(extra.requestId);
        const task = await extra.taskStore.createTask({
          ttl: extra.taskRequestedTtl ?? DEFAULT_TASK_TTL_MS,
          pollInterval: asked ? TASK_POLL_MS : IN_CALL_POLL_MS,
        });
        const store = extra.taskStore;
        const work = asked
          ? run.elevate(
              input,
              // The task outlives this call: no progress notifications for it, no cancellation with it.
              {
                signal: new AbortController().signal,
                sendNotification: extra.sendNotification,
                requestId: extra.requestId,
                sessionId: extra.sessionId,
                _meta: { traceparent: extra._meta?.traceparent },
              },
              (handle) => handle.expiresIn + PAST_EXPIRY_SECONDS,
              (handle) =>
                store.updateTaskStatus(
                  task.taskId,
                  'working',
                  `pending: auth_req_id ${handle.id}, binding code ${handle.bindingCode}`,
                ),
            )
          : run.elevate(
              input,
              extra,
              () => input.wait_seconds ?? run.defaultWaitSeconds,
              (handle) => run.announce(handle, extra),
            );
        void work
          .then(
            (result) => store.storeTaskResult(task.taskId, 'completed', result),
            (error: unknown) =>
              store.storeTaskResult(task.taskId, 'failed', {
                content: [{ type: 'text', text: error instanceof Error ? error.message : String(error) }],
                isError: true,
              }),
          )
          // The task was cancelled (or expired) meanwhile: there is nobody left to tell.
          .catch(() => undefined);
        return { task };
      },
      getTask: async (_args: unknown, extra: TaskRequestHandlerExtra) => {
        const task = await extra.taskStore.getTask(extra.taskId);
        if (!task) throw new McpError(ErrorCode.InvalidParams, `no task ${extra.taskId}`);
        return task;
      },
      getTaskResult: async (_args: unknown, extra: TaskRequestHandlerExtra) =>
        (await extra.taskStore.getTaskResult(extra.taskId)) as CallToolResult,
    },
  );
}
