import { performance } from 'node:perf_hooks';
import { StepUpClient } from '../../client/agent';
import { createStepUpVerifier, type StepUpVerifier } from '../../client/resource-server';

/** The steps of one flow, in order. */
export const STEPS = ['create', 'click', 'token', 'introspect'] as const;
/** One step of a flow. */
export type Step = (typeof STEPS)[number];

/** A workload JWT for `sub` from the local runtime's dev issuer, as `stepup dev token` gets one. */
export async function devToken(base: string, sub: string): Promise<string> {
  const response = await fetch(`${base}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub }),
  });
  if (!response.ok) throw new Error(`/dev/token answered ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Thrown when a step of a flow fails; names the step. */
export class StepError extends Error {
  constructor(
    readonly step: Step,
    cause: unknown,
  ) {
    super(`${step}: ${(cause as Error).message ?? String(cause)}`, { cause });
  }
}

/** One agent of the soak, with its own workload identity, and the resource server it acts on. */
export class Agent {
  private constructor(
    private readonly base: string,
    private readonly client: StepUpClient,
    private readonly resourceServer: StepUpVerifier,
  ) {}

  static async create(base: string, sub: string, resourceServerToken: string): Promise<Agent> {
    return new Agent(
      base,
      new StepUpClient({ baseUrl: base, token: await devToken(base, sub) }),
      createStepUpVerifier({
        issuer: base,
        audience: 'orders-db',
        introspect: { bearer: () => resourceServerToken },
      }),
    );
  }

  /**
   * One full flow, as in the README walkthrough: the agent asks to drop a table, U0ALICE clicks
   * Approve through the Slack stand-in (a signed click to /slack/events), the agent collects its
   * token, and the resource server verifies and consumes it.
   * @param time receives each step's duration in milliseconds
   * @param signal ends the flow where it is (the soak's end)
   */
  async flow(time: (step: Step, ms: number) => void, signal: AbortSignal): Promise<void> {
    const step = async <T>(name: Step, run: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      try {
        const result = await run();
        time(name, performance.now() - started);
        return result;
      } catch (error) {
        throw new StepError(name, error);
      }
    };
    const request = await step('create', () =>
      this.client.requestElevation({
        action: 'db:DropTable',
        resource: 'prod/orders',
        audience: 'orders-db',
        justification: 'soak: drop the legacy orders table',
      }),
    );
    await step('click', () => this.approve(request.id, signal));
    // Resumed after the click, the handle sees the request decided and polls at once.
    const token = await step('token', async () =>
      (await this.client.resume(request.id)).waitForToken({ signal }),
    );
    await step('introspect', () =>
      this.resourceServer.verifyAndConsume(token.accessToken, {
        action: 'db:DropTable',
        resource: 'prod/orders',
      }),
    );
  }

  private async approve(id: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      const response = await fetch(`${this.base}/dev/slack/click`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ auth_req_id: id, user: 'U0ALICE', decision: 'approve' }),
        signal,
      });
      const body = (await response.json()) as Record<string, unknown>;
      if (response.status === 200 && body.slack_status === 200) return;
      // The route waits a few seconds for the workflow to page the approvers; under load that can
      // take longer, and an approver clicks once the message is there, while the request is pending.
      const paging = response.status === 400 && String(body.error_description).includes('no Slack message');
      if (!paging) throw new Error(`/dev/slack/click answered ${response.status} ${JSON.stringify(body)}`);
      const { status } = await this.client.getStatus(id, { signal });
      if (status !== 'pending') throw new Error(`never paged; the request ended ${status}`);
    }
  }
}
