import type { AuthorizationDetail, RequestState } from '../../lambdas/contract';
import type { ElevationTrace, TrailLink } from './trace';

/**
 * Where a request stands. `pending` until humans decide, a policy decides, or it times out; `failed`
 * when stepup could not complete it (nothing was granted; ask again).
 */
export type { RequestState };

/** One action the agent asks to perform: what `POST /v1/requests` takes. */
export interface ElevationRequest {
  /** `service:Verb`, e.g. `db:DropTable`. */
  readonly action: string;
  /** The one resource it applies to, e.g. `prod/orders`; shown to approvers in full. */
  readonly resource: string;
  /** The resource server that will accept the token (its workload `sub`), e.g. `orders-db`. */
  readonly audience: string;
  /** Why, in plain words (at most 2000 characters). Shown to approvers as the agent's unverified claim. */
  readonly justification: string;
  /** The human the agent acts for (id or email); without `subjectToken` only asserted, never trusted. */
  readonly onBehalfOf?: string;
  /** The human's own OIDC id_token, proving `onBehalfOf`. */
  readonly subjectToken?: string;
  /** Token lifetime wanted, 1–3600 s; capped by policy (default cap 300 s). */
  readonly requestedTtlSeconds?: number;
  /** Risk signals for the policies, e.g. `{ ticket: 'CHG-7' }` (names must be in the policy schema). */
  readonly context?: Readonly<Record<string, string>>;
  /** The agent's public DPoP key (JWK): the token is then bound to it (`token_type: DPoP`). */
  readonly dpopJwk?: Readonly<Record<string, unknown>>;
  /**
   * The exact arguments the agent will send to the resource server (a JSON object, at most 8 KB once
   * canonicalised), e.g. `{ sql: 'DROP TABLE orders' }`. Approvers see them; the token carries their
   * RFC 8785 digest (`parameters_sha256`) and the resource server refuses any other arguments.
   */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** Where the request comes from (prompt digest, tool call, session, traceparent), for the audit trail. */
  readonly trace?: ElevationTrace;
  /**
   * Makes retries safe: the same key with the same body always answers with the same request.
   * @default a random key per call (so the client's own retries never create a second request)
   */
  readonly idempotencyKey?: string;
}

/** What the approvers were asked for, as decided by the policies. */
export interface Requirements {
  /** Distinct approvals needed. */
  readonly quorum: number;
  /**
   * Who may approve: one entry per deciding policy, listing the groups it accepts (any of them). An
   * approver must belong to a group of every entry: `[["db-owners"], ["security"]]` needs someone
   * in both, `[["db-owners", "platform-oncall"]]` someone in either.
   */
  readonly approverGroups: readonly (readonly string[])[];
  /** The policies that decided. */
  readonly policies: readonly string[];
  /** Longest token lifetime the policies allow. */
  readonly maxTokenTtlSeconds?: number;
  /** Group paged after the approval timeout, if any. */
  readonly escalateTo?: string;
}

/** One entry of a request's audit trail. */
export interface AuditEvent {
  /** e.g. `requested`, `notified`, `vote`, `approved`, `denied`, `grant_issued`, `token_delivered`. */
  readonly type: string;
  /** ISO 8601 time. */
  readonly at: string;
  /** Who: `agent:<sub>`, `slack:<team>/<user>`, `workflow`, `stepup`, … */
  readonly actor: string;
  readonly detail?: Readonly<Record<string, unknown>>;
  /** SHA-256 of the event before it in the request's audit chain (`stepup audit verify`). */
  readonly prev?: string;
}

/** A request as `GET /v1/requests/{id}` shows it to the agent that made it. */
export interface RequestStatus {
  readonly id: string;
  readonly status: RequestState;
  readonly action: string;
  readonly resource: string;
  readonly audience: string;
  readonly justification: string;
  readonly onBehalfOf?: string;
  readonly bindingCode: string;
  readonly createdAt: string;
  /** When an undecided request expires (ISO 8601). */
  readonly expiresAt: string;
  /** `step_up`, `auto_approve` or `deny`. */
  readonly policyOutcome?: string;
  readonly requirements: Requirements;
  /** Slack user ids of those who approved so far. */
  readonly approvers: readonly string[];
  readonly decidedAt?: string;
  /** The approver's reason for a denial, when they gave one. */
  readonly denialReason?: string;
  /** Whether the token was collected. */
  readonly tokenDelivered: boolean;
  /** Whether the resource server consumed the token. */
  readonly tokenUsed: boolean;
  readonly events: readonly AuditEvent[];
  /** SHA-256 of the last chained event. */
  readonly auditHead?: string;
  /** The trace the request was made with, if any. */
  readonly trace?: ElevationTrace;
  /** The trail from the prompt to the downstream call, each link naming its event. */
  readonly trail: readonly TrailLink[];
}

export type { AuthorizationDetail };

/**
 * The single-use token. Valid for exactly one action on one resource at one audience, once, for
 * `expiresIn` seconds: use it right away and never log it.
 */
export interface GrantedToken {
  readonly requestId: string;
  readonly accessToken: string;
  /** `Bearer`, or `DPoP` when bound to the agent's key. Send it as `Authorization: <tokenType> <accessToken>`. */
  readonly tokenType: 'Bearer' | 'DPoP';
  readonly expiresIn: number;
  /** When it expires, by this machine's clock. */
  readonly expiresAt: Date;
  readonly authorizationDetails: readonly AuthorizationDetail[];
}

/** Progress while waiting, for `onUpdate`. */
export interface WaitProgress {
  readonly requestId: string;
  /** Milliseconds since `waitForToken` started. */
  readonly elapsedMs: number;
  readonly status: RequestState;
  /** Slack user ids of those who approved so far (as of the last status check). */
  readonly approvals: readonly string[];
  /** Approvals needed, when known. */
  readonly quorum?: number;
  /** Who may approve (see {@link Requirements.approverGroups}), when known. */
  readonly approverGroups?: readonly (readonly string[])[];
  /** When the request expires if nobody decides, when known. */
  readonly expiresAt?: Date;
  /** The current polling interval in seconds (grows after a `slow_down`). */
  readonly intervalSeconds: number;
  /** Token polls made so far. */
  readonly polls: number;
}

/** Options of {@link ElevationHandle.waitForToken}. */
export interface WaitOptions {
  /** Stops waiting (the request stays pending; cancel it if it is no longer wanted). */
  readonly signal?: AbortSignal;
  /**
   * Called with progress after every poll. When given, the client also reads the request's status
   * (approvals so far, expiry) once per poll, and picks the token up within a fraction of a second
   * of the final approval instead of at the next poll.
   */
  readonly onUpdate?: (progress: WaitProgress) => void;
}

/** A request that stepup accepted, as returned by `requestElevation`. */
export interface ElevationHandle {
  /** The `auth_req_id`. */
  readonly id: string;
  /** Shown in the Slack message too: lets a human match the message to this agent's run. */
  readonly bindingCode: string;
  /** `approved` when a policy allowed the action without humans (the token is ready at once). */
  readonly initialStatus: 'pending' | 'approved';
  /** Seconds until the request expires (or, when approved, until the token must be collected). */
  readonly expiresIn: number;
  /** Suggested polling interval in seconds. */
  readonly interval: number;
  /** The request's current status, approvals and audit trail. */
  status(): Promise<RequestStatus>;
  /** Withdraws the request (approvers' message is updated). Fine to call twice; fails once decided. */
  cancel(): Promise<void>;
  /**
   * Polls until the request is decided.
   * @returns the token, once approved
   * @throws DeniedError, ExpiredError, CancelledError, FailedError, StepUpApiError; or the signal's reason
   *   when aborted
   */
  waitForToken(options?: WaitOptions): Promise<GrantedToken>;
}
