import type { TraceField } from '../../contract';

/*
 * Correlation from the prompt to the downstream call. The agent says where a request comes from
 * (`RequestTrace`), the resource server says what it is about to do with the token
 * (`ResourceOperation`) and how that ended (`ActionOutcome`); each is recorded in the request's audit
 * trail, so the trail reads prompt digest → tool call → request → … → use → outcome.
 */

/**
 * Where a request comes from, as its agent says (agent-supplied: shown and recorded, never trusted
 * for a decision). The members are the wire names, so the stored value, the token's `trace` claim
 * and the API's view are one shape.
 */
export type RequestTrace = { readonly [F in TraceField]?: string };

/** What the resource server is about to do with a token: an HTTP call (`method` and `path`) and/or an operation name. */
export interface ResourceOperation {
  readonly method?: string;
  readonly path?: string;
  readonly operation?: string;
}

/** How the action the token allowed ended, as its resource server reports it. */
export interface ActionOutcome {
  readonly result: 'succeeded' | 'failed';
  /** A short machine code (`http_204`, `deadlock`), when the resource server gives one. */
  readonly code?: string;
}

/** The members of a trace or an operation that are present, for an audit event's detail or a token claim. */
export function presentMembers(value: RequestTrace | ResourceOperation | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(value ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/** The token's `trace` claim: the request's trace as its agent gave it, when it gave one. */
export function traceClaim(trace: RequestTrace | undefined): { trace?: Record<string, string> } {
  const members = presentMembers(trace);
  return Object.keys(members).length > 0 ? { trace: members } : {};
}
