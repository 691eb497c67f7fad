import {
  auditTrail,
  type ApprovalRequest,
  type AuditEvent,
  type AuditEventType,
} from '../requests/approval-request';
import { presentMembers } from '../requests/trace';

/** The links of a request's trail, in the order they happen. */
export const TRAIL_LINKS = [
  'prompt',
  'tool_call',
  'request',
  'policy',
  'vote',
  'decision',
  'grant',
  'delivery',
  'use',
  'outcome',
] as const;

/** One kind of link of the trail. */
export type TrailLinkName = (typeof TRAIL_LINKS)[number];

/** One link: what happened, when and by whom, and which audit event records it. */
export interface TrailLink {
  readonly link: TrailLinkName;
  readonly at?: string;
  readonly actor?: string;
  /** Index of the recording event in the request's `events` (as the API lists them). */
  readonly event?: number;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/** Which audit events make which link (the rest — notices, escalations — stay in `events` only). */
const LINK_OF: Partial<Readonly<Record<AuditEventType, TrailLinkName>>> = {
  requested: 'request',
  auto_approved: 'decision',
  policy_log_only: 'policy',
  vote: 'vote',
  approved: 'decision',
  denied: 'decision',
  expired: 'decision',
  cancelled: 'decision',
  failed: 'decision',
  grant_issued: 'grant',
  token_delivered: 'delivery',
  token_consumed: 'use',
  parameters_mismatch: 'use',
  credentials_issued: 'use',
  revoked: 'decision',
  action_outcome: 'outcome',
};

function linkOf(event: AuditEvent, index: number): TrailLink[] {
  const link = LINK_OF[event.type];
  if (!link) return [];
  const own: TrailLink = {
    link,
    at: event.at,
    actor: event.actor,
    event: index,
    detail: { event: event.type, ...event.detail },
  };
  if (event.type !== 'requested') return [own];
  // The creating event records the policy's decision too: its own link, from the same event.
  // Its trace members other than traceparent are the prompt and tool-call links already.
  const {
    outcome,
    policy,
    prompt_sha256: _prompt,
    model: _model,
    session_id: _session,
    tool_call_id: _toolCall,
    ...asked
  } = event.detail ?? {};
  const policyLink: TrailLink = {
    link: 'policy',
    at: event.at,
    actor: 'policy',
    event: index,
    detail: { outcome: outcome ?? '', policy: policy ?? '' },
  };
  return [{ ...own, detail: { event: event.type, ...asked } }, policyLink];
}

/**
 * The request's trail from the prompt to the downstream call: prompt digest → tool call → request
 * → policy → votes → decision → grant → delivery → use → outcome, each link naming the audit event
 * that records it. The first two come from the agent's `trace` (its word, recorded in the creating
 * event); a link that did not happen (no vote for an auto-approval, no use yet) is absent.
 */
export function correlationTrail(request: ApprovalRequest): TrailLink[] {
  const trace = request.trace ?? {};
  const links: TrailLink[] = [];
  const agent = `agent:${request.agent}`;
  const prompt = presentMembers({
    prompt_sha256: trace.prompt_sha256,
    model: trace.model,
    session_id: trace.session_id,
  });
  if (Object.keys(prompt).length > 0) links.push({ link: 'prompt', actor: agent, detail: prompt });
  if (trace.tool_call_id !== undefined) {
    links.push({ link: 'tool_call', actor: agent, detail: { tool_call_id: trace.tool_call_id } });
  }
  auditTrail(request).forEach((event, index) => links.push(...linkOf(event, index)));
  return links;
}
