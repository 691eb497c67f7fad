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
   * Marks the delivered token `jti` consumed, in one conditional write that also records `event`.
   * Succeeds only if the token was delivered, not yet consumed, and not expired at `nowEpochSeconds`.
   * @returns the request after consumption, or undefined if the condition failed
   */
  consumeToken(
    id: string,
    jti: string,
    nowEpochSeconds: number,
    event: AuditEvent,
  ): Promise<ApprovalRequest | undefined>;
}
