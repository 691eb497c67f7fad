import { TRACE_PATTERNS } from '../../lambdas/contract';
import type { ElevationTrace } from '../agent';

/** What the MCP server knows of where a tool call comes from, besides the call itself. */
export interface McpTraceDefaults {
  /** The agent's session, when the host gave one (`stepup mcp --trace-session`). */
  readonly sessionId?: string;
  /** The model the host runs (`stepup mcp --model`). */
  readonly model?: string;
}

/** The parts of an MCP tool call the trace is taken from. */
export interface McpCallContext {
  /** The JSON-RPC id of the `tools/call` request. */
  readonly requestId: string | number;
  /** The transport's session (Streamable HTTP), if any. */
  readonly sessionId?: string;
  /** The call's `_meta`; a host that propagates W3C Trace Context puts `traceparent` there. */
  readonly _meta?: Readonly<Record<string, unknown>>;
}

/** `value` when it is a string of the shape stepup accepts for `field`, else nothing. */
function shaped(field: keyof typeof TRACE_PATTERNS, value: unknown): string | undefined {
  return typeof value === 'string' && TRACE_PATTERNS[field].test(value) ? value : undefined;
}

/**
 * The request's trace for one `request_elevation` call: `tool_call_id` is the MCP request id,
 * `traceparent` comes from the call's `_meta`, the session from the transport or the defaults. A
 * value stepup would refuse (an id with other characters) is left out rather than failing the
 * call: the trail then lacks that link, the approval does not.
 */
export function mcpTrace(call: McpCallContext, defaults: McpTraceDefaults = {}): ElevationTrace | undefined {
  const trace: ElevationTrace = {
    toolCallId: shaped('tool_call_id', String(call.requestId)),
    traceparent: shaped('traceparent', call._meta?.traceparent),
    sessionId: shaped('session_id', call.sessionId ?? defaults.sessionId),
    model: shaped('model', defaults.model),
  };
  return Object.values(trace).some((value) => value !== undefined) ? trace : undefined;
}
