import { createHash } from 'node:crypto';

/**
 * Where a request comes from, for the audit trail: stepup records it, shows the session to the
 * approvers, and puts it into the token (`trace` claim) for the resource server. Every member is
 * optional and strictly shaped (the server refuses a malformed one with `invalid_request`).
 */
export interface ElevationTrace {
  /** The W3C Trace Context `traceparent` of the span making the request (version 00). */
  readonly traceparent?: string;
  /** The agent's session (conversation, run): letters, digits and `._:@/+=-`, at most 128. */
  readonly sessionId?: string;
  /** The tool call that makes the request (an LLM tool-use id, an MCP request id). Same shape. */
  readonly toolCallId?: string;
  /** SHA-256 of the prompt, never the prompt: use {@link promptDigest}. */
  readonly promptSha256?: string;
  /** The model that decided to call the tool. */
  readonly model?: string;
}

/** The `prompt_sha256` of a prompt: SHA-256 of its UTF-8 bytes, lowercase hex. Only the digest leaves the agent. */
export function promptDigest(prompt: string): string {
  return createHash('sha256').update(prompt, 'utf8').digest('hex');
}

/** The `trace` member of `POST /v1/requests`, in the API's names; undefined when nothing is set. */
export function traceBody(trace: ElevationTrace | undefined): Record<string, string> | undefined {
  if (!trace) return undefined;
  const body: Record<string, string | undefined> = {
    traceparent: trace.traceparent,
    session_id: trace.sessionId,
    tool_call_id: trace.toolCallId,
    prompt_sha256: trace.promptSha256,
    model: trace.model,
  };
  const present = Object.entries(body).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return present.length > 0 ? Object.fromEntries(present) : undefined;
}

/** The `trace` of a request as `GET /v1/requests/{id}` shows it. */
export function parseTrace(value: unknown): ElevationTrace | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const trace = value as Record<string, unknown>;
  const text = (member: unknown) => (typeof member === 'string' ? member : undefined);
  return {
    traceparent: text(trace.traceparent),
    sessionId: text(trace.session_id),
    toolCallId: text(trace.tool_call_id),
    promptSha256: text(trace.prompt_sha256),
    model: text(trace.model),
  };
}

/** One link of a request's trail: prompt → tool_call → request → policy → vote → decision → grant → delivery → use → outcome. */
export interface TrailLink {
  readonly link: string;
  readonly at?: string;
  readonly actor?: string;
  /** Index of the audit event that records it, in `events`. */
  readonly event?: number;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** The `trail` of `GET /v1/requests/{id}`. */
export function parseTrail(value: unknown): TrailLink[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((link): link is Record<string, unknown> => typeof link === 'object' && link !== null)
    .map((link) => ({
      link: typeof link.link === 'string' ? link.link : '',
      at: typeof link.at === 'string' ? link.at : undefined,
      actor: typeof link.actor === 'string' ? link.actor : undefined,
      event: typeof link.event === 'number' ? link.event : undefined,
      detail:
        typeof link.detail === 'object' && link.detail !== null
          ? (link.detail as Record<string, unknown>)
          : undefined,
    }));
}
