import { afterAll, beforeAll, expect } from 'vitest';
import { DynamoDbRequestStore } from '../../../lambdas/adapters/aws/dynamodb-request-store';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../../local/local-dynamodb';
import type {
  ApprovalRequest,
  PostIntent,
  SlackMessageRef,
} from '../../../lambdas/domain/requests/approval-request';
import { parseConfig, type StepUpConfig } from '../../../lambdas/domain/config/config';
import { httpStatusOf } from '../../../lambdas/api/error-response';
import { StepUpError, type ErrorCode } from '../../../lambdas/domain/errors';
import { newBindingCode, newRequestId } from '../../../lambdas/domain/ids';
import type { ApprovalNotifier } from '../../../lambdas/ports/approval-notifier';
import type { Clock } from '../../../lambdas/ports/clock';
import type { RequestStore } from '../../../lambdas/ports/request-store';
import type { ApprovalOutcome, TaskHandover, Workflow } from '../../../lambdas/ports/workflow';

/** The instant every fixed clock in the unit tests reads. */
export const NOW = new Date('2030-01-02T03:04:05.000Z');
export const NOW_EPOCH_SECONDS = Math.floor(NOW.getTime() / 1000);

/** A clock frozen at `at`. */
export function fixedClock(at: Date = NOW): Clock {
  return { now: () => new Date(at.getTime()) };
}

export const TEAM = 'T0TEST';
export const GROUP = 'db-owners';
export const CHANNEL = 'C0APPROVALS';
export const ALICE = 'U0ALICE';
export const BOB = 'U0BOB';
export const CAROL = 'U0CAROL';
export const MALLORY = 'U0MALLORY';
/** Workload-identity issuer of the test config's `auth`. */
export const ISSUER = 'https://token.actions.githubusercontent.com';

/** A validated config: one group (Alice, Bob, Carol), Carol known by email. */
export function testConfig(members: readonly string[] = [ALICE, BOB, CAROL]): StepUpConfig {
  return parseConfig({
    slack: { teamId: TEAM },
    auth: { issuer: ISSUER, audience: ['stepup'] },
    approverGroups: { [GROUP]: { members: [...members], channel: CHANNEL } },
    people: { 'carol@example.com': CAROL },
    defaults: { approvers: GROUP, approvalTimeoutSeconds: 900, maxTokenTtlSeconds: 300 },
  });
}

/** A fresh PENDING request (new random id) created at {@link NOW}, with overrides. */
export function pendingRequest(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    id: newRequestId(),
    agent: 'deploy-bot',
    action: 'db:DropTable',
    resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
    audience: 'db-admin-api',
    justification: 'The orders table was migrated; dropping the old copy.',
    bindingCode: newBindingCode(),
    requestedTtlSeconds: 300,
    policyOutcome: 'step_up',
    requirements: {
      approverGroups: [[GROUP]],
      quorum: 1,
      approvalTimeoutSeconds: 900,
      maxTokenTtlSeconds: 300,
      policies: ['drop-prod-table'],
    },
    status: 'PENDING',
    createdAt: NOW.toISOString(),
    expiresAt: new Date(NOW.getTime() + 900_000).toISOString(),
    votes: [],
    events: [{ type: 'requested', at: NOW.toISOString(), actor: 'agent:deploy-bot' }],
    version: 1,
    ...overrides,
  };
}

/** An {@link ApprovalNotifier} that records what it was asked to do, like Slack would keep it. */
export class RecordingNotifier implements ApprovalNotifier {
  readonly posted: { request: ApprovalRequest; channel: string; ts: string }[] = [];
  readonly updated: ApprovalRequest[] = [];
  readonly told: { channel: string; user: string; text: string }[] = [];
  /** How many posts land in Slack but fail for the poster (a lost answer, a timeout), counted down. */
  lostAnswers = 0;
  private counter = 0;

  constructor(private readonly onPost?: (request: ApprovalRequest) => Promise<void>) {}

  async postApprovalRequest(request: ApprovalRequest, channel: string): Promise<SlackMessageRef> {
    await this.onPost?.(request);
    this.counter += 1;
    const ref = { channel, ts: `1700000000.00000${this.counter}` };
    this.posted.push({ request, ...ref });
    if (this.lostAnswers > 0) {
      this.lostAnswers--;
      throw new Error('socket hang up');
    }
    return ref;
  }

  async findApprovalMessage(
    request: ApprovalRequest,
    intent: PostIntent,
  ): Promise<SlackMessageRef | undefined> {
    const known = new Set([request.slackMessage?.ts, request.escalation?.message?.ts]);
    const found = this.posted.find(
      (p) => p.request.id === request.id && p.channel === intent.channel && !known.has(p.ts),
    );
    return found && { channel: found.channel, ts: found.ts };
  }

  async updateMessage(request: ApprovalRequest): Promise<void> {
    this.updated.push(request);
  }

  async tellPrivately(channel: string, user: string, text: string): Promise<void> {
    this.told.push({ channel, user, text });
  }
}

/** The workflow's callback side, recording every resumption; `failures` calls throw first (a throttled API). */
export class RecordingWorkflow implements Pick<Workflow, 'sendTaskSuccess'> {
  readonly calls: { taskToken: string; outcome: ApprovalOutcome }[] = [];

  constructor(public failures = 0) {}

  async sendTaskSuccess(taskToken: string, outcome: ApprovalOutcome): Promise<TaskHandover> {
    this.calls.push({ taskToken, outcome });
    if (this.failures > 0) {
      this.failures--;
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    return 'resumed';
  }
}

/** Runs `fn` and returns what it threw; fails the test if it did not throw. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

/** Awaits `promise` and returns its rejection; fails the test if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** Asserts `error` is a {@link StepUpError} with `code` (and its status), whose message holds `mentions`. */
export function expectStepUpError(
  error: unknown,
  code: ErrorCode,
  status: number,
  mentions?: string,
): StepUpError {
  expect(error).toBeInstanceOf(StepUpError);
  const stepUpError = error as StepUpError;
  expect(stepUpError.code).toBe(code);
  expect(httpStatusOf(stepUpError.code)).toBe(status);
  if (mentions !== undefined) expect(stepUpError.message).toContain(mentions);
  return stepUpError;
}

/** Stores {@link pendingRequest}`(overrides)` in `store` and returns it. */
export async function storePendingRequest(
  store: RequestStore,
  overrides: Partial<ApprovalRequest> = {},
): Promise<ApprovalRequest> {
  const request = pendingRequest(overrides);
  await store.create(request);
  return request;
}

/**
 * A real DynamoDbRequestStore on an in-memory dynalite for the calling test file: started before
 * its tests, closed after them. `use` receives the store (and the server) once it is up.
 */
export function useDynaliteStore(use: (store: DynamoDbRequestStore, db: LocalDynamoDb) => void): void {
  let db: LocalDynamoDb | undefined;
  beforeAll(async () => {
    db = await startLocalDynamoDb();
    use(new DynamoDbRequestStore(db.client, db.tableName), db);
  });
  afterAll(async () => {
    await db?.close();
  });
}
