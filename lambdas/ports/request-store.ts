import type { ApprovalRequest, AuditEvent } from '../domain/requests/approval-request';

/** Thrown by {@link RequestStore.save} when another writer changed the request first. */
export class VersionConflictError extends Error {
  constructor(id: string) {
    super(`request ${id} changed concurrently`);
    this.name = 'VersionConflictError';
  }
}

/** Thrown by {@link RequestStore.create} when the id is taken. */
export class DuplicateRequestError extends Error {
  constructor(id: string) {
    super(`request ${id} already exists`);
    this.name = 'DuplicateRequestError';
  }
}

/** One page of a listing; `cursor` continues it and is absent on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly cursor?: string;
}

/** What a restart needs to start an unfinished request's workflow again, read from the index alone. */
export interface ResumableRequest {
  readonly id: string;
  /** The approval deadline: the resumed wait gets the time left until it. */
  readonly expiresAt: string;
  readonly escalateTo?: string;
}

/**
 * Persistence for approval requests. Every write is a single (conditional) item operation; listings
 * read only open requests (`domain/requests/open-request.ts`), never the history.
 */
export interface RequestStore {
  /** Stores a new request; fails with {@link DuplicateRequestError} if the id exists. */
  create(request: ApprovalRequest): Promise<void>;
  get(id: string): Promise<ApprovalRequest | undefined>;
  /**
   * Moves the stored request from `current` to `next` (version `current.version + 1`), writing only
   * what differs: attributes set, attributes removed (absent in `next`), audit events appended.
   * @throws VersionConflictError unless the stored version is still `current.version`
   */
  save(current: ApprovalRequest, next: ApprovalRequest): Promise<void>;
  /**
   * Marks the delivered token `jti` consumed, in one conditional write that also records `event`
   * (as the request's `consumption`).
   * Succeeds only if the token was delivered, not yet consumed, and not expired at `nowEpochSeconds`.
   * @returns true when this call consumed it; false if the condition failed
   */
  consumeToken(id: string, jti: string, nowEpochSeconds: number, event: AuditEvent): Promise<boolean>;
  /**
   * Records a poll of a pending request, in one conditional write beside the request (polls never
   * contend with votes). Too early (before the previous poll plus the interval) grows the interval
   * by {@link SLOW_DOWN_STEP_SECONDS}.
   * @returns whether the poll was on time, and the interval now in force
   */
  recordPoll(id: string, nowMs: number, initialIntervalSeconds: number): Promise<PollGate>;
  /** Ids of every request `agent` made, newest first (reads its whole history: tests and tools only). */
  listByAgent(agent: string): Promise<string[]>;
  /**
   * One page of the ids of `agent`'s open requests, oldest first: the kill switch's work list, as
   * long as what is pending or unused, however long the history.
   * @param cursor where the previous page ended
   */
  listOpenByAgent(agent: string, cursor?: string): Promise<Page<string>>;
  /**
   * One page of the requests whose workflow had not finished (any agent), for a restart to resume.
   * @param cursor where the previous page ended
   */
  listUnfinishedWorkflows(cursor?: string): Promise<Page<ResumableRequest>>;
  /**
   * Every request whose workflow may still owe it something (pending, approved without a grant, a
   * begun post, a message not yet updated with the outcome), read whole through the index of open
   * requests: a superset, each is checked by the caller.
   */
  listUnfinished(): AsyncIterable<ApprovalRequest>;
}

/** What {@link RequestStore.recordPoll} found. */
export interface PollGate {
  readonly onTime: boolean;
  readonly intervalSeconds: number;
}

/** How much a too-early poll grows the interval (CIBA: by at least 5 seconds). */
export const SLOW_DOWN_STEP_SECONDS = 5;
