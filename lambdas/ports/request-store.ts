import type { ApprovalRequest, AuditEvent } from '../domain/approval-request';

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

/** Persistence for approval requests. Every method is a single (conditional) item operation. */
export interface RequestStore {
  /** Stores a new request; fails with {@link DuplicateRequestError} if the id exists. */
  create(request: ApprovalRequest): Promise<void>;
  get(id: string): Promise<ApprovalRequest | undefined>;
  /**
   * Replaces the request when its stored version is `next.version - 1`.
   * @throws VersionConflictError otherwise
   */
  save(next: ApprovalRequest): Promise<void>;
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
  /** Ids of every request `agent` made, newest first. */
  listByAgent(agent: string): Promise<string[]>;
  /**
   * Every request whose workflow may still owe it something (pending, approved without a grant, a
   * begun post, a message not yet updated with the outcome): a superset, each is checked by the caller.
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
