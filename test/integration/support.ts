import { afterAll, beforeAll } from 'vitest';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../local/runtime';
import { loadConfigFile } from '../../lambdas/adapters/config-file';
import type { StepUpConfig } from '../../lambdas/domain/config/config';
import { until } from '../helpers/wait';

/** The repository's example config, with overrides for a test. */
export function testConfig(overrides: Partial<StepUpConfig> = {}): StepUpConfig {
  return { ...loadConfigFile('stepup.config.json'), ...overrides };
}

/** A local runtime in memory on a free port, with any other `options` (e.g. injected faults). */
export function startTestRuntime(
  config: StepUpConfig = testConfig(),
  options: LocalRuntimeOptions = {},
): Promise<LocalRuntime> {
  return startLocalRuntime({ ...options, memory: true, port: 0, config, env: {} });
}

/** A JSON response: status and parsed body. */
export interface JsonResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function parse(response: Response): Promise<JsonResponse> {
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A thin HTTP client for one runtime, as an agent or resource server would call it. */
export class Api {
  constructor(readonly runtime: LocalRuntime) {}

  async postJson(path: string, body: unknown, bearer?: string): Promise<JsonResponse> {
    return parse(
      await fetch(`${this.runtime.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  }

  async postForm(path: string, fields: Record<string, string>, bearer?: string): Promise<JsonResponse> {
    return parse(
      await fetch(`${this.runtime.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        body: new URLSearchParams(fields).toString(),
      }),
    );
  }

  async get(path: string, bearer?: string): Promise<JsonResponse> {
    return parse(
      await fetch(`${this.runtime.url}${path}`, {
        headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
      }),
    );
  }

  /** Creates a request as `agent`; returns its id. */
  async createRequest(agent: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const response = await this.postJson(
      '/v1/requests',
      {
        action: 'db:DropTable',
        resource: 'prod/orders',
        audience: 'orders-db',
        justification: 'drop the legacy orders table after the migration',
        ...overrides,
      },
      agent,
    );
    if (response.status !== 202) throw new Error(`create failed: ${JSON.stringify(response)}`);
    return response.body.auth_req_id as string;
  }

  /** The CIBA poll. */
  poll(agent: string, requestId: string): Promise<JsonResponse> {
    return this.postForm(
      '/v1/token',
      { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: requestId },
      agent,
    );
  }

  introspect(resourceServer: string, token: string): Promise<JsonResponse> {
    return this.postForm('/v1/introspect', { token }, resourceServer);
  }
}

/**
 * Polls `probe` until it returns a value (not undefined): waits on the event itself, however long a
 * busy machine takes, with the suite's test timeout as the only cap (see {@link until}).
 */
export function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what = 'the condition',
): Promise<T> {
  return until(probe, what);
}

/** Waits until the approvers were paged: the stand-in has the message and the request records it. */
export function slackMessage(runtime: LocalRuntime, requestId: string) {
  return eventually(async () => {
    const request = await runtime.store.get(requestId);
    return request?.slackMessage ? runtime.slack?.messageFor(requestId) : undefined;
  }, `the Slack message of ${requestId}`);
}

/** Waits until the request is no longer pending and the agent's poll says something else. */
export async function pollUntilDecided(api: Api, agent: string, requestId: string): Promise<JsonResponse> {
  return eventually(async () => {
    const response = await api.poll(agent, requestId);
    const waiting = response.body.error === 'authorization_pending' || response.body.error === 'slow_down';
    return waiting ? undefined : response;
  });
}

/** Waits until the workflow has finished with the request (its outcome is shown in Slack). */
export async function workflowDone(runtime: LocalRuntime, requestId: string) {
  return eventually(async () => {
    const request = await runtime.store.get(requestId);
    return request?.events.some((e) => e.type === 'outcome_notified') ? request : undefined;
  });
}

/** What {@link useTestRuntime} hands a test file. */
export interface TestRuntime {
  readonly runtime: LocalRuntime;
  readonly api: Api;
  /** A dev workload token for the agent `deploy-bot`. */
  readonly agent: string;
}

/**
 * A local runtime (in memory, free port) for the calling `describe` block: started before its
 * tests, stopped after them. `use` receives it once it is up.
 */
export function useTestRuntime(
  use: (started: TestRuntime) => unknown,
  config: StepUpConfig = testConfig(),
  options: LocalRuntimeOptions = {},
): void {
  let runtime: LocalRuntime | undefined;
  beforeAll(async () => {
    runtime = await startTestRuntime(config, options);
    await use({ runtime, api: new Api(runtime), agent: await runtime.devToken('deploy-bot') });
  });
  afterAll(() => runtime?.stop());
}
