import type { AuthorizationDetail } from '../../contract';
import type { BoundParameters } from './parameters';
import type { RequestTrace } from './trace';

/**
 * Lifecycle of an approval request. Only PENDING can change, and APPROVED until its grant is issued
 * (or the workflow gives up: FAILED); every other status is final.
 */
export type RequestStatus = 'PENDING' | 'APPROVED' | 'DENIED' | 'EXPIRED' | 'CANCELLED' | 'FAILED';

/** What the policy decided for a request. */
export type PolicyOutcome = 'auto_approve' | 'step_up' | 'deny';

/** What a human must do before the agent may act: who, how many, how long. */
export interface ApprovalRequirements {
  /**
   * One entry per determining policy: the approver groups it accepts (any of them). An approver must
   * belong to a group of every entry. Empty when no human approval is needed.
   */
  readonly approverGroups: readonly (readonly string[])[];
  /** Distinct approvals needed (0 when none). */
  readonly quorum: number;
  readonly approvalTimeoutSeconds: number;
  readonly maxTokenTtlSeconds: number;
  /** Group paged when the approval timeout passes. */
  readonly escalateTo?: string;
  /** Ids of the policies that decided (sorted). */
  readonly policies: readonly string[];
  /** The deciding policies' own `@description` (their author's words, not the agent's). */
  readonly description?: string;
  /** `passkey`: every vote must come with a verified WebAuthn assertion (`@assurance`); absent: a Slack click. */
  readonly assurance?: 'passkey';
}

/** One click in Slack, identified by Slack user and team ids (never display names). */
export interface Vote {
  readonly user: string;
  readonly team: string;
  readonly decision: 'approve' | 'deny';
  readonly at: string;
  readonly reason?: string;
  /** The passkey that confirmed the vote (WebAuthn, user verification required), if one did. */
  readonly passkey?: PasskeyProof;
}

/** A verified WebAuthn assertion behind a vote: which credential, and that the user was verified. */
export interface PasskeyProof {
  /** The credential id, base64url. */
  readonly credentialId: string;
  readonly userVerified: true;
}

export type { AuthorizationDetail };

/** What the approval entitles the agent to; signed only when the agent picks it up. */
export interface Grant {
  readonly jti: string;
  readonly ttlSeconds: number;
  readonly issuedAt: string;
  /** The agent must collect the token before this instant. */
  readonly pickupBy: string;
  readonly authorizationDetails: readonly AuthorizationDetail[];
}

/** The token handed to the agent: when, and until when it is valid. */
export interface Delivery {
  readonly jti: string;
  readonly at: string;
  /** Token expiry, epoch seconds (compared in DynamoDB conditions). */
  readonly exp: number;
  /** When the same token (same claims, re-signed) was handed to the agent again after a lost answer. */
  readonly redeliveredAt?: readonly string[];
}

export type AuditEventType =
  | 'requested'
  | 'auto_approved'
  /** A `@mode("log_only")` policy would have determined the decision (it did not decide). */
  | 'policy_log_only'
  | 'notified'
  | 'escalated'
  | 'vote'
  /** A click that changed nothing (not an approver, self-approval, closed…): stored beside the request, never in it. */
  | 'vote_refused'
  | 'approved'
  | 'denied'
  | 'expired'
  | 'grant_issued'
  | 'token_delivered'
  | 'token_consumed'
  | 'parameters_mismatch'
  | 'credentials_issued'
  | 'credentials_failed'
  | 'cancelled'
  | 'revoked'
  | 'failed'
  | 'outcome_notified'
  /** The resource server reported how the action the token allowed ended (`record-outcome.ts`). */
  | 'action_outcome';

/** One step of the audit trail; stored inside the request so the step and its record are one write. */
export interface AuditEvent {
  readonly type: AuditEventType;
  readonly at: string;
  /** Who caused it: `agent:<sub>`, `slack:<team>/<user>`, `workflow`, `resource-server:<sub>`. */
  readonly actor: string;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
  /** Digest of the event before it (`audit-chain.ts`); absent on events written before the chain existed. */
  readonly prev?: string;
}

/** Where the approval message lives in Slack, for updates. */
export interface SlackMessageRef {
  readonly channel: string;
  readonly ts: string;
}

/**
 * A post to Slack that was begun, recorded before `chat.postMessage` is called: a retried or resumed
 * step that finds it looks for that post (the message carries the request id) before posting again.
 */
export interface PostIntent {
  readonly channel: string;
  readonly at: string;
}

/** The single source of truth for one step-up request. */
export interface ApprovalRequest {
  readonly id: string;
  /** Workload identity (`sub`) of the requesting agent. */
  readonly agent: string;
  readonly action: string;
  readonly resource: string;
  readonly audience: string;
  /** Agent-written, untrusted. */
  readonly justification: string;
  /**
   * The exact arguments the approval is bound to, as RFC 8785 canonical JSON (agent-written: shown
   * to approvers only as inert text), and their digest `parameters_sha256`.
   */
  readonly parameters?: BoundParameters;
  /** The human the agent acts for: asserted by the agent, unless `humanVerified`. */
  readonly onBehalfOf?: string;
  /** True when `onBehalfOf` was proven with the human's own id_token. */
  readonly humanVerified?: boolean;
  /** RFC 7638 thumbprint of the agent's DPoP key; the token is bound to it (`cnf.jkt`). */
  readonly dpopJkt?: string;
  /** Where the request comes from (prompt digest, tool call, session, trace), as its agent says. */
  readonly trace?: RequestTrace;
  readonly bindingCode: string;
  readonly requestedTtlSeconds: number;
  readonly policyOutcome: PolicyOutcome;
  readonly requirements: ApprovalRequirements;
  readonly status: RequestStatus;
  readonly createdAt: string;
  /** Approval deadline. */
  readonly expiresAt: string;
  readonly votes: readonly Vote[];
  readonly decidedAt?: string;
  readonly denialReason?: string;
  /** Step Functions task token; backend only, never returned or logged. */
  readonly taskToken?: string;
  readonly slackMessage?: SlackMessageRef;
  /** The approval message is being posted (cleared when `slackMessage` is recorded). */
  readonly paging?: PostIntent;
  /**
   * Set when the group had its pages for the minute (`limits.pagesPerGroupPerMinute`): the request
   * is listed in the group's digest of that minute (`page` once listed) instead of paged on its own.
   */
  readonly digest?: { readonly group: string; readonly minute: string; readonly page?: number };
  /** Set when the approval window passed and the escalation group was paged. */
  readonly escalation?: {
    readonly group: string;
    readonly at: string;
    readonly message?: SlackMessageRef;
    /** The escalation message is being posted (cleared when `message` is recorded). */
    readonly paging?: PostIntent;
  };
  readonly grant?: Grant;
  readonly delivery?: Delivery;
  readonly consumedAt?: string;
  /** The audit record of the consumption, written with it (see {@link auditTrail}). */
  readonly consumption?: AuditEvent;
  /** Set when the token (or the undelivered grant) was revoked. */
  readonly revokedAt?: string;
  readonly events: readonly AuditEvent[];
  /** Digest of the last event (`audit-chain.ts`), written with it. */
  readonly auditHead?: string;
  /** Optimistic-concurrency counter: every write is conditional on it. */
  readonly version: number;
}

/**
 * When a pending request is finally out of time: its `expiresAt`, or one more approval window
 * later while an escalation is still to come (the workflow extends `expiresAt` when it escalates).
 */
export function decisionDeadline(request: ApprovalRequest): number {
  const expiresAt = Date.parse(request.expiresAt);
  const escalationToCome = request.requirements.escalateTo !== undefined && request.escalation === undefined;
  return escalationToCome ? expiresAt + request.requirements.approvalTimeoutSeconds * 1000 : expiresAt;
}

/** The policy ids as one string, as tokens and messages show them. */
export function policyLabel(requirements: ApprovalRequirements): string {
  return requirements.policies.join(', ');
}

/** Who may approve, in words: "db-owners", "db-owners and security", "a or b". */
export function approverGroupsLabel(requirements: ApprovalRequirements): string {
  return requirements.approverGroups.map((set) => set.join(' or ')).join(' and ');
}

/**
 * How the approval was given: `passkey` when every counted approval was confirmed with a verified
 * passkey assertion, otherwise `slack` (a click). Tokens and introspection carry it.
 */
export function approvalAssurance(request: ApprovalRequest): 'passkey' | 'slack' {
  const counted = request.votes.filter((v) => v.decision === 'approve');
  return counted.length > 0 && counted.every((v) => v.passkey?.userVerified === true) ? 'passkey' : 'slack';
}

/** Distinct users who approved. */
export function approvers(request: ApprovalRequest): string[] {
  return request.votes.filter((v) => v.decision === 'approve').map((v) => v.user);
}

/**
 * The whole audit trail of a request: its events in stored (chain) order, with the token's
 * consumption placed before the first event after it in time.
 */
export function auditTrail(request: ApprovalRequest): AuditEvent[] {
  const trail = [...request.events];
  const consumption = request.consumption;
  if (!consumption) return trail;
  const later = trail.findIndex((event) => event.at > consumption.at);
  trail.splice(later === -1 ? trail.length : later, 0, consumption);
  return trail;
}
