import { describe, expect, it } from 'vitest';
import type { WorkflowStepHandlers } from '../../local/local-workflow';
import type { LocalRuntime } from '../../local/runtime';
import { abortableSleep, FailedError, StepUpClient } from '../../client/agent';
import { openApiDocument } from '../../lambdas/api/openapi';
import { TASK_RETRY } from '../../lib/workflow-retry';
import { OpenApiSchemas } from '../unit/support/openapi-schemas';
import { Api, slackMessage, testConfig, useTestRuntime } from './support';

/** What a failing step throws: a distinctive name for the audit trail, and a message that must stay out of it. */
class GrantStoreUnavailable extends Error {
  constructor() {
    super('connect ECONNREFUSED; task token AAAA-secret-task-token; at expireRequest (expire-request.ts:42)');
    this.name = 'GrantStoreUnavailable';
  }
}

type StepName = keyof WorkflowStepHandlers;

/** Makes chosen steps of the local workflow throw, and counts the calls of every step. */
class Faults {
  private readonly failing = new Map<StepName, number>();
  readonly calls = new Map<StepName, number>();

  /** The next `times` calls of `step` throw (Infinity: every call until {@link clear}). */
  fail(step: StepName, times = Infinity): void {
    this.failing.set(step, times);
  }

  clear(): void {
    this.failing.clear();
    this.calls.clear();
  }

  /** The runtime's `wrapSteps`: every step counts its calls and throws while a fault is set. */
  wrap = (steps: WorkflowStepHandlers): WorkflowStepHandlers => {
    const guarded = <E, R>(name: StepName, step: (event: E) => Promise<R>) => {
      return async (event: E): Promise<R> => {
        this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
        const left = this.failing.get(name) ?? 0;
        if (left > 0) {
          this.failing.set(name, left - 1);
          throw new GrantStoreUnavailable();
        }
        return step(event);
      };
    };
    return {
      AwaitApproval: guarded('AwaitApproval', steps.AwaitApproval),
      Expire: guarded('Expire', steps.Expire),
      RecordFailure: guarded('RecordFailure', steps.RecordFailure),
      NotifyOutcome: guarded('NotifyOutcome', steps.NotifyOutcome),
    };
  };
}

/** Every attempt a step gets for a fault of its own code: the first plus States.TaskFailed's retries. */
const TASK_ATTEMPTS = 1 + (TASK_RETRY.maxAttempts ?? 3);

describe('a workflow step that keeps failing', () => {
  const faults = new Faults();
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;

  const operator = 'security-oncall';
  useTestRuntime((started) => ({ runtime, api, agent } = started), testConfig({ operators: [operator] }), {
    wrapSteps: faults.wrap,
  });

  /** A request whose paging and expiry both failed for good: RecordFailure has made it FAILED. */
  async function failedAndSettled(): Promise<string> {
    faults.fail('AwaitApproval');
    faults.fail('Expire');
    const requestId = await api.createRequest(agent);
    await runtime.workflow.settled();
    return requestId;
  }

  it('an approval carries its grant from the click: NotifyOutcome failing for good fails nothing', async () => {
    faults.clear();
    faults.fail('NotifyOutcome');
    // Another agent: its unused token must not be in the kill-switch test's count below.
    const agent = await runtime.devToken('notify-bot');
    const requestId = await api.createRequest(agent);
    await slackMessage(runtime, requestId);
    expect((await runtime.click({ requestId, user: 'U0ALICE', decision: 'approve' })).status).toBe(200);
    await runtime.workflow.settled();
    expect(faults.calls.get('NotifyOutcome')).toBe(TASK_ATTEMPTS);
    expect(faults.calls.get('RecordFailure')).toBeUndefined();
    expect((await api.poll(agent, requestId)).status).toBe(200);
    const request = await runtime.store.get(requestId);
    expect(request?.status).toBe('APPROVED');
    expect(request?.events.some((e) => e.type === 'failed')).toBe(false);
  });

  it('Expire (after paging failed): retried, then the request is FAILED and the agent told so', async () => {
    faults.clear();
    const requestId = await failedAndSettled();
    expect(runtime.workflow.activeExecutions).toBe(0);
    expect(faults.calls.get('Expire')).toBe(TASK_ATTEMPTS);
    expect(faults.calls.get('RecordFailure')).toBe(1);

    const poll = await api.poll(agent, requestId);
    expect(poll).toEqual({
      status: 400,
      body: {
        error: 'transaction_failed',
        error_description:
          'the approval could not be completed: closing the request failed; nothing was granted, ask again',
      },
    });
    // Terminal: asking again answers the same, never authorization_pending.
    expect((await api.poll(agent, requestId)).body.error).toBe('transaction_failed');

    const view = await api.get(`/v1/requests/${requestId}`, agent);
    expect(view.body).toMatchObject({ status: 'failed', token_delivered: false });
    // Both answers are the documented ones.
    const document = openApiDocument(runtime.url) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content: Record<string, { schema: unknown }> }> }>
      >;
    };
    const schemas = new OpenApiSchemas(document);
    const tokenError = schemas.compile(
      document.paths['/v1/token']?.post?.responses['400']?.content['application/json']?.schema,
    );
    expect(tokenError(poll.body), schemas.errorsOf(tokenError)).toBe(true);
    const requestView = schemas.component('RequestView');
    expect(requestView(view.body), schemas.errorsOf(requestView)).toBe(true);
    const events = view.body.events as { type: string; actor: string; detail?: unknown }[];
    expect(events.map((e) => e.type)).toEqual(['requested', 'failed']);
    expect(events.find((e) => e.type === 'failed')).toMatchObject({
      actor: 'workflow',
      detail: { error: 'GrantStoreUnavailable', previous_status: 'pending' },
    });
    const stored = JSON.stringify(await runtime.store.get(requestId));
    expect(stored).not.toContain('ECONNREFUSED');
    expect(stored).not.toContain('secret-task-token');
    expect(stored).not.toContain('expire-request.ts');
    expect(stored).not.toContain('"grant"');
  });

  it('the agent client ends its wait with a FailedError and reads the status "failed"', async () => {
    faults.clear();
    faults.fail('AwaitApproval');
    faults.fail('Expire');
    const token = await runtime.devToken('client-bot');
    const stepup = new StepUpClient({
      baseUrl: runtime.url,
      token: async () => token,
      // Real waits, capped: the client's 5 s polling interval is not sat out.
      sleep: (ms, signal) => abortableSleep(Math.min(ms, 20), signal),
    });
    const request = await stepup.requestElevation({
      action: 'db:DropTable',
      resource: 'prod/orders',
      audience: 'orders-db',
      justification: 'drop the legacy orders table after the migration',
    });
    await runtime.workflow.settled();
    const error = await request.waitForToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FailedError);
    expect(error).toMatchObject({ code: 'transaction_failed', requestId: request.id, status: 400 });
    expect((error as FailedError).message).toContain('nothing was granted, ask again');
    expect((await request.status()).status).toBe('failed');
  });

  it('a FAILED request cannot be cancelled, and the kill switch leaves it alone', async () => {
    faults.clear();
    const requestId = await failedAndSettled();
    const before = await runtime.store.get(requestId);

    const cancel = await api.postJson(`/v1/requests/${requestId}/cancel`, {}, agent);
    expect(cancel).toEqual({
      status: 409,
      body: { error: 'conflict', error_description: 'the request is already failed' },
    });
    const killed = await api.postForm(
      '/v1/revoke',
      { agent: 'deploy-bot' },
      await runtime.devToken(operator),
    );
    expect(killed.body).toEqual({
      agent: 'deploy-bot',
      cancelled: 0,
      revoked: 0,
      complete: true,
      started_at: expect.any(String),
      completed_at: expect.any(String),
    });
    expect(await runtime.store.get(requestId)).toEqual(before);
  });

  it('RecordFailure failing too ends the execution as failed, leaving the request unchanged', async () => {
    faults.clear();
    faults.fail('RecordFailure');
    const requestId = await failedAndSettled();
    expect(faults.calls.get('RecordFailure')).toBe(TASK_ATTEMPTS);
    expect(faults.calls.get('NotifyOutcome')).toBeUndefined();
    // The execution failed (in AWS the failed-executions alarm fires); the record is as it was.
    const request = await runtime.store.get(requestId);
    expect(request?.status).toBe('PENDING');
    expect(request?.grant).toBeUndefined();
  });
});
