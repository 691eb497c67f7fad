import type { AgentHistoryStore, HistoryEvent } from '../../ports/agent-history-store';
import type { RequestLimits } from '../../ports/request-limits';
import type { Page, PollGate, RequestStore, ResumableRequest } from '../../ports/request-store';
import type { ApprovalRequest, AuditEvent } from './approval-request';
import type { WindowCounter } from '../agents/agent-history';
import { identityOf } from './request-gate';

const COUNTED_OUTCOME: Partial<Record<ApprovalRequest['status'], WindowCounter>> = {
  APPROVED: 'approved',
  DENIED: 'denied',
  EXPIRED: 'expired',
};

/**
 * What the history counts of a write that moved a request from `before` (absent: created) to
 * `after`: a new request, its outcome, and whether it entered or left the pending state.
 */
export function historyEventOf(
  before: ApprovalRequest | undefined,
  after: ApprovalRequest,
): HistoryEvent | undefined {
  const outcome = COUNTED_OUTCOME[after.status];
  const base = { agent: after.agent, action: after.action, resource: after.resource, requestId: after.id };
  if (!before) {
    return {
      ...base,
      at: after.createdAt,
      counted: ['requests', ...(outcome ? [outcome] : [])],
      ...(after.status === 'PENDING' ? { pending: 'opened' as const } : {}),
    };
  }
  if (before.status !== 'PENDING' || after.status === 'PENDING') return undefined;
  return {
    ...base,
    at: after.decidedAt ?? after.createdAt,
    counted: outcome ? [outcome] : [],
    pending: 'closed',
  };
}

/**
 * A {@link RequestStore} that keeps the history counters (and the duplicate claims) in step with the
 * requests. The counters aggregate many requests, so they cannot share the request's conditional
 * write (that would take a transaction); they are written right after it, only by the writer whose
 * conditional write succeeded, and each is an idempotent set add, so a retried write cannot count
 * twice. A crash between the two writes loses that count (never doubles one); `onCountFailed` hears
 * of a count that failed, which never fails the state change already made.
 */
export class CountingRequestStore implements RequestStore {
  constructor(
    private readonly inner: RequestStore,
    private readonly history: AgentHistoryStore,
    private readonly limits: RequestLimits,
    private readonly onCountFailed: (error: unknown) => void,
    /** Whether duplicates are joined (config `limits.deduplicate`): only then are claims released. */
    private readonly releasesClaims: boolean,
  ) {}

  async create(request: ApprovalRequest): Promise<void> {
    await this.inner.create(request);
    await this.count(undefined, request);
  }

  async save(current: ApprovalRequest, next: ApprovalRequest): Promise<void> {
    await this.inner.save(current, next);
    await this.count(current, next);
  }

  private async count(before: ApprovalRequest | undefined, after: ApprovalRequest): Promise<void> {
    const event = historyEventOf(before, after);
    if (!event) return;
    try {
      await Promise.all([
        this.history.record(event),
        // No longer pending: an identical request is a new request again.
        event.pending === 'closed' && this.releasesClaims
          ? this.limits.releasePending(identityOf(after), after.id)
          : undefined,
      ]);
    } catch (error) {
      this.onCountFailed(error);
    }
  }

  get(id: string): Promise<ApprovalRequest | undefined> {
    return this.inner.get(id);
  }

  consumeToken(id: string, jti: string, nowEpochSeconds: number, event: AuditEvent): Promise<boolean> {
    return this.inner.consumeToken(id, jti, nowEpochSeconds, event);
  }

  recordPoll(id: string, nowMs: number, initialIntervalSeconds: number): Promise<PollGate> {
    return this.inner.recordPoll(id, nowMs, initialIntervalSeconds);
  }

  listByAgent(agent: string): Promise<string[]> {
    return this.inner.listByAgent(agent);
  }

  listOpenByAgent(agent: string, cursor?: string): Promise<Page<string>> {
    return this.inner.listOpenByAgent(agent, cursor);
  }

  listUnfinishedWorkflows(cursor?: string): Promise<Page<ResumableRequest>> {
    return this.inner.listUnfinishedWorkflows(cursor);
  }

  listUnfinished(): AsyncIterable<ApprovalRequest> {
    return this.inner.listUnfinished();
  }
}
