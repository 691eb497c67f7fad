import { randomUUID } from 'node:crypto';
import {
  AUTHORIZATION_DETAILS_TYPE,
  CIBA_GRANT_TYPE,
  REQUEST_STATES,
  TOKEN_WAIT_MAX_SECONDS,
} from '../../lambdas/contract';
import { parseAwsCredentials, tokenExchangeForm, type AwsCredentials } from './aws-credentials';
import { parseTrace, parseTrail, traceBody } from './trace';
import { parseElevationOptions, type ElevationOptions } from './elevation-options';
import {
  CancelledError,
  DeniedError,
  ExpiredError,
  FailedError,
  InvalidRequestError,
  UnauthenticatedError,
  StepUpApiError,
  type StepUpErrorCode,
} from './errors';
import type {
  AuditEvent,
  AuthorizationDetail,
  ElevationHandle,
  ElevationRequest,
  GrantedToken,
  RequestState,
  RequestStatus,
  WaitOptions,
  WaitProgress,
} from './types';

/** Configuration of {@link StepUpClient}. */
export interface StepUpClientOptions {
  /** stepup's base URL, e.g. `http://127.0.0.1:3000` locally or the stack's `ApiUrl`. */
  readonly baseUrl: string;
  /**
   * The agent's workload JWT (its `sub` is the agent's identity), or a function returning a fresh
   * one; called before every HTTP call, so short-lived tokens can rotate.
   */
  readonly token: string | (() => string | Promise<string>);
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Waits `ms`; rejects with the signal's reason when aborted. Injectable for tests. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** The clock, in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Per-HTTP-call timeout. @default 15000 */
  readonly timeoutMs?: number;
  /** Attempts for a call that is safe to repeat (create with its Idempotency-Key, status, cancel). @default 4 */
  readonly maxAttempts?: number;
  /** Consecutive failed polls (network, 5xx) tolerated while waiting. @default 10 */
  readonly maxPollFailures?: number;
  /**
   * Long-poll: each poll asks the server to hold it this many seconds for the decision (`wait`), so
   * the token arrives as soon as the deciding click is stored; 0 polls every `interval` instead. A
   * server that does not know `wait` (it answers `invalid_request`) is polled plainly.
   * @default 25 (the server's cap)
   */
  readonly longPollSeconds?: number;
}

interface HttpAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** The `WWW-Authenticate` challenge of a 401. */
  readonly challenge?: string;
}

/** `error_description` of a Bearer challenge (RFC 6750 §3; API Gateway's authorizer explains itself only there). */
function challengeDescription(challenge: string | undefined): string | undefined {
  return challenge ? /error_description="([^"]*)"/.exec(challenge)?.[1] : undefined;
}

interface CallOptions {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly json?: unknown;
  readonly form?: Record<string, string>;
  readonly headers?: Record<string, string>;
  /** Extra time this call may take beyond the per-call timeout (a long-poll's wait). */
  readonly extraTimeoutMs?: number;
  /** Whether a network failure or gateway error may be retried (the call is idempotent). */
  readonly retry: boolean;
  readonly signal?: AbortSignal;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 504]);

/** Waits `ms`, or rejects with the signal's reason. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function invalidResponse(what: string, answer: HttpAnswer): StepUpApiError {
  return new StepUpApiError(
    'invalid_response',
    `stepup answered ${what} unexpectedly (HTTP ${answer.status})`,
    {
      status: answer.status,
      body: answer.body,
    },
  );
}

/** The error code of a non-2xx answer, also for API Gateway's own `{"message": …}` bodies. */
function errorCode(answer: HttpAnswer): StepUpErrorCode {
  const code = text(answer.body.error);
  if (code) return code;
  if (answer.status === 401) return 'invalid_token';
  if (answer.status === 403) return 'forbidden';
  if (answer.status === 404) return 'not_found';
  if (answer.status === 429) return 'too_many_requests';
  if (answer.status >= 500) return 'server_error';
  return 'invalid_response';
}

/** The typed error for a non-2xx answer. */
function apiError(answer: HttpAnswer, requestId?: string): StepUpApiError {
  const code = errorCode(answer);
  const description =
    text(answer.body.error_description) ?? text(answer.body.message) ?? `HTTP ${answer.status}`;
  const details = { status: answer.status, requestId, body: answer.body };
  if (answer.status === 401) {
    const reason =
      text(answer.body.error_description) ??
      challengeDescription(answer.challenge) ??
      'the workload token was not accepted';
    return new UnauthenticatedError(reason, details);
  }
  switch (code) {
    case 'access_denied':
      return new DeniedError(description, { ...details, policies: strings(answer.body.policies) });
    case 'expired_token':
      return new ExpiredError(description, details);
    case 'transaction_failed':
      return new FailedError(description, details);
    case 'invalid_request':
      return new InvalidRequestError(description, details);
    default:
      return new StepUpApiError(code, `${code}: ${description}`, details);
  }
}

function parseStatus(body: Record<string, unknown>, fallbackId: string): RequestStatus {
  const requirements = isRecord(body.requirements) ? body.requirements : {};
  const events = Array.isArray(body.events) ? body.events.filter(isRecord) : [];
  return {
    id: text(body.auth_req_id) ?? fallbackId,
    status: body.status as RequestState,
    action: text(body.action) ?? '',
    resource: text(body.resource) ?? '',
    audience: text(body.audience) ?? '',
    justification: text(body.justification) ?? '',
    onBehalfOf: text(body.on_behalf_of),
    bindingCode: text(body.binding_code) ?? '',
    createdAt: text(body.created_at) ?? '',
    expiresAt: text(body.expires_at) ?? '',
    policyOutcome: text(body.policy_outcome),
    requirements: {
      quorum: typeof requirements.quorum === 'number' ? requirements.quorum : 0,
      approverGroups: Array.isArray(requirements.approver_groups)
        ? requirements.approver_groups.map(strings)
        : [],
      policies: strings(requirements.policies),
      maxTokenTtlSeconds:
        typeof requirements.max_token_ttl_seconds === 'number'
          ? requirements.max_token_ttl_seconds
          : undefined,
      escalateTo: text(requirements.escalate_to),
    },
    approvers: strings(body.approvers),
    decidedAt: text(body.decided_at),
    denialReason: text(body.denial_reason),
    tokenDelivered: body.token_delivered === true,
    tokenUsed: body.token_used === true,
    events: events.map((e): AuditEvent => ({
      type: text(e.type) ?? '',
      at: text(e.at) ?? '',
      actor: text(e.actor) ?? '',
      detail: isRecord(e.detail) ? e.detail : undefined,
      prev: text(e.prev),
    })),
    auditHead: text(body.audit_head),
    trace: parseTrace(body.trace),
    trail: parseTrail(body.trail),
  };
}

const STATES: readonly string[] = REQUEST_STATES;

/** The outcome of one poll that did not end the wait. */
type PollResult =
  | { readonly kind: 'token'; readonly token: GrantedToken }
  | { readonly kind: 'pending' }
  | { readonly kind: 'slow_down'; readonly interval?: number }
  /** The server refused `wait`: it does not long-poll. */
  | { readonly kind: 'no_long_poll' }
  | { readonly kind: 'unreachable'; readonly error: StepUpApiError };

/**
 * The agent side of stepup: ask for one risky action, wait for humans to approve it, and get a
 * single-use token for it.
 *
 * ```ts
 * const stepup = new StepUpClient({ baseUrl: process.env.STEPUP_URL!, token: process.env.STEPUP_TOKEN! });
 * const request = await stepup.requestElevation({
 *   action: 'db:DropTable', resource: 'prod/orders', audience: 'orders-db',
 *   justification: 'The migration finished yesterday; the legacy table is unused.',
 * });
 * const { accessToken } = await request.waitForToken();
 * ```
 */
export class StepUpClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxPollFailures: number;
  private readonly longPollSeconds: number;

  constructor(private readonly options: StepUpClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`baseUrl must be an http(s) URL, got ${options.baseUrl}`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.sleep = options.sleep ?? abortableSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.maxPollFailures = Math.max(1, options.maxPollFailures ?? 10);
    this.longPollSeconds = Math.min(
      TOKEN_WAIT_MAX_SECONDS,
      Math.max(0, Math.floor(options.longPollSeconds ?? TOKEN_WAIT_MAX_SECONDS)),
    );
  }

  /**
   * Asks for one action. Network failures and gateway errors are retried with the same
   * Idempotency-Key, so a retry never creates a second request.
   * @returns a handle to wait on; `initialStatus` is `approved` when a policy allowed it alone
   * @throws DeniedError when a policy forbids the action (`policies` names them);
   *   InvalidRequestError for a malformed request; StepUpApiError otherwise
   */
  async requestElevation(request: ElevationRequest): Promise<ElevationHandle> {
    const body: Record<string, unknown> = {
      action: request.action,
      resource: request.resource,
      audience: request.audience,
      justification: request.justification,
    };
    if (request.onBehalfOf !== undefined) body.on_behalf_of = request.onBehalfOf;
    if (request.subjectToken !== undefined) body.subject_token = request.subjectToken;
    if (request.requestedTtlSeconds !== undefined) body.requested_ttl_seconds = request.requestedTtlSeconds;
    if (request.context !== undefined) body.context = request.context;
    if (request.dpopJwk !== undefined) body.dpop_jwk = request.dpopJwk;
    if (request.parameters !== undefined) body.parameters = request.parameters;
    const trace = traceBody(request.trace);
    if (trace !== undefined) body.trace = trace;
    const answer = await this.call({
      method: 'POST',
      path: '/v1/requests',
      json: body,
      headers: { 'idempotency-key': request.idempotencyKey ?? randomUUID() },
      retry: true,
    });
    if (answer.status !== 200 && answer.status !== 202) {
      throw apiError(answer, text(answer.body.auth_req_id));
    }
    const id = text(answer.body.auth_req_id);
    const status = answer.body.status;
    if (!id || (status !== 'pending' && status !== 'approved')) throw invalidResponse('the request', answer);
    return this.handle(id, {
      bindingCode: text(answer.body.binding_code) ?? '',
      initialStatus: status,
      expiresIn: typeof answer.body.expires_in === 'number' ? answer.body.expires_in : 0,
      interval:
        typeof answer.body.interval === 'number' && answer.body.interval > 0 ? answer.body.interval : 5,
    });
  }

  /**
   * A handle for a request made earlier (e.g. by another process), to check, cancel or wait on it.
   * @param interval the polling interval in seconds (the server's default is 5)
   */
  async resume(id: string, interval = 5): Promise<ElevationHandle> {
    const status = await this.getStatus(id);
    const expiresAt = Date.parse(status.expiresAt);
    const remaining = Number.isNaN(expiresAt) ? 0 : Math.max(0, Math.ceil((expiresAt - this.now()) / 1000));
    return this.handle(
      id,
      {
        bindingCode: status.bindingCode,
        initialStatus: status.status === 'approved' ? 'approved' : 'pending',
        expiresIn: remaining,
        interval,
      },
      // Decided or past its expiry: the first poll answers at once, so it need not wait.
      status.status !== 'pending' || remaining === 0,
    );
  }

  /**
   * The request's status, approvals and audit trail (`GET /v1/requests/{id}`).
   * @throws StepUpApiError `not_found` for an unknown id or another agent's request
   */
  async getStatus(id: string, options: { signal?: AbortSignal } = {}): Promise<RequestStatus> {
    const answer = await this.call({
      method: 'GET',
      path: `/v1/requests/${encodeURIComponent(id)}`,
      retry: true,
      signal: options.signal,
    });
    if (answer.status !== 200) throw apiError(answer, id);
    if (!STATES.includes(answer.body.status as string)) throw invalidResponse('the status', answer);
    return parseStatus(answer.body, id);
  }

  /**
   * Withdraws a pending request (`POST /v1/requests/{id}/cancel`). Cancelling twice is fine.
   * @throws StepUpApiError `conflict` when it was already decided
   */
  async cancel(id: string): Promise<void> {
    const answer = await this.call({
      method: 'POST',
      path: `/v1/requests/${encodeURIComponent(id)}/cancel`,
      retry: true,
    });
    if (answer.status !== 200) throw apiError(answer, id);
  }

  /**
   * What this agent can ask for (`GET /v1/elevation-options`): every action the policy schema
   * declares and, for `query.resource`, what the policy would decide for each (auto-approve, step-up
   * with whom and how many, deny); the audiences the config knows. Nothing is created.
   */
  async listElevationOptions(
    query: { resource?: string; audience?: string } = {},
  ): Promise<ElevationOptions> {
    const params = new URLSearchParams();
    if (query.resource !== undefined) params.set('resource', query.resource);
    if (query.audience !== undefined) params.set('audience', query.audience);
    const search = params.size > 0 ? `?${params.toString()}` : '';
    const answer = await this.call({ method: 'GET', path: `/v1/elevation-options${search}`, retry: true });
    if (answer.status !== 200) throw apiError(answer);
    const options = parseElevationOptions(answer.body);
    if (!options) throw invalidResponse('the elevation options', answer);
    return options;
  }

  /**
   * Exchanges an approved request's single-use token, once, for AWS credentials that can make
   * exactly the approved call (`POST /v1/credentials/aws`, RFC 8693). For audiences the stepup config
   * maps to an AWS role (`awsTargets`). The exchange consumes the token: a second exchange, or
   * introspecting it afterwards, is refused, so keep the credentials for the task.
   *
   * Not retried on its own: a network failure may have consumed the token already. After
   * `temporarily_unavailable` (STS did not issue the credentials) the same token may be exchanged
   * again.
   * @param token the token from `waitForToken` (or its `accessToken`)
   * @returns credentials shaped as the AWS SDK's own: pass them as a client's `credentials`
   * @throws InvalidRequestError when the token is not a valid, unused stepup token issued to this
   *   agent (already exchanged or introspected, expired, revoked, another agent's);
   *   StepUpApiError `invalid_target` when the token's audience is not an AWS target (nothing is
   *   consumed), `temporarily_unavailable` when STS failed (exchange the same token again a few
   *   seconds later), `network_error`, …
   * @example
   * ```ts
   * const request = await stepup.requestElevation({
   *   action: 'dynamodb:DeleteTable',
   *   resource: 'arn:aws:dynamodb:eu-west-1:111122223333:table/orders-legacy',
   *   audience: 'aws:prod-data',
   *   justification: 'The migration finished yesterday; the legacy table is unused.',
   * });
   * const credentials = await stepup.exchangeForAwsCredentials(await request.waitForToken());
   * const dynamodb = new DynamoDBClient({ region: credentials.region, credentials });
   * await dynamodb.send(new DeleteTableCommand({ TableName: 'orders-legacy' }));
   * ```
   */
  async exchangeForAwsCredentials(token: GrantedToken | string): Promise<AwsCredentials> {
    const subjectToken = typeof token === 'string' ? token : token.accessToken;
    const requestId = typeof token === 'string' ? undefined : token.requestId;
    const answer = await this.call({
      method: 'POST',
      path: '/v1/credentials/aws',
      form: tokenExchangeForm(subjectToken),
      retry: false,
    });
    if (answer.status !== 200) throw apiError(answer, requestId);
    const credentials = parseAwsCredentials(answer.body);
    if (!credentials) throw invalidResponse('the token exchange', answer);
    return credentials;
  }

  private handle(
    id: string,
    initial: Pick<ElevationHandle, 'bindingCode' | 'initialStatus' | 'expiresIn' | 'interval'>,
    pollFirst = initial.initialStatus !== 'pending',
  ): ElevationHandle {
    return {
      id,
      ...initial,
      status: () => this.getStatus(id),
      cancel: () => this.cancel(id),
      waitForToken: (options) =>
        this.waitForToken(id, initial.interval, initial.initialStatus, pollFirst, options),
    };
  }

  /** A positive jitter of up to 10 %: never early, since an early poll is answered `slow_down`. */
  private jittered(intervalSeconds: number): number {
    return Math.round(intervalSeconds * 1000 * (1 + 0.1 * this.random()));
  }

  private async waitForToken(
    id: string,
    initialInterval: number,
    initialStatus: RequestState,
    pollFirst: boolean,
    options: WaitOptions = {},
  ): Promise<GrantedToken> {
    const { signal, onUpdate } = options;
    const started = this.now();
    let interval = initialInterval;
    let polls = 0;
    let failures = 0;
    let quickRetries = 0;
    let longPoll = this.longPollSeconds;
    let view: RequestStatus | undefined;
    let state: RequestState = initialStatus;

    const report = () => {
      if (!onUpdate) return;
      const expiresAt = view && view.expiresAt ? new Date(view.expiresAt) : undefined;
      const progress: WaitProgress = {
        requestId: id,
        elapsedMs: this.now() - started,
        status: state,
        approvals: view?.approvers ?? [],
        quorum: view?.requirements.quorum,
        approverGroups: view?.requirements.approverGroups,
        expiresAt: expiresAt && !Number.isNaN(expiresAt.getTime()) ? expiresAt : undefined,
        intervalSeconds: interval,
        polls,
      };
      onUpdate(progress);
    };
    /** With `onUpdate`, reads the request's status; failures only skip this update. */
    const refresh = async () => {
      if (!onUpdate) return;
      try {
        view = await this.getStatus(id, { signal });
        state = view.status;
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (!(error instanceof StepUpApiError)) throw error;
      }
      report();
    };

    signal?.throwIfAborted();
    await refresh();
    // Humans take seconds at best: the first plain poll of a pending request waits one interval (a
    // long-poll waits on the server instead).
    if (state === 'pending' && !pollFirst && longPoll === 0)
      await this.sleep(this.jittered(interval), signal);
    for (;;) {
      signal?.throwIfAborted();
      polls++;
      const result = await this.poll(id, longPoll, signal);
      if (result.kind === 'no_long_poll') {
        // An older server: plain polling from now on.
        longPoll = 0;
        await this.sleep(this.jittered(interval), signal);
        continue;
      }
      if (result.kind === 'token') {
        state = 'approved';
        await refresh().catch(() => undefined); // the final approvals, for the last update
        return result.token;
      }
      if (result.kind === 'unreachable') {
        if (++failures >= this.maxPollFailures) throw result.error;
      } else failures = 0;
      if (result.kind === 'slow_down') {
        // The server's new interval; at least 5 s more than before, as RFC 8628 §3.5 says.
        interval = Math.max(result.interval ?? 0, interval + 5);
      }
      await refresh();
      // A long-poll that answered pending was held at least one interval: ask again at once.
      if (result.kind === 'pending' && longPoll > 0) continue;
      // Decided (by the status just read) but not yet handed out: polls of a decided request are not
      // paced, so pick it up within a fraction of a second rather than at the next interval.
      const decided = view !== undefined && view.status !== 'pending' && quickRetries < 40;
      if (decided) quickRetries++;
      await this.sleep(decided ? 250 : this.jittered(interval), signal);
    }
  }

  /**
   * One CIBA poll, held by the server up to `waitSeconds` for the decision. Terminal answers throw;
   * the rest tell the loop what to do next.
   */
  private async poll(id: string, waitSeconds: number, signal?: AbortSignal): Promise<PollResult> {
    let answer: HttpAnswer;
    try {
      answer = await this.call({
        method: 'POST',
        path: '/v1/token',
        form: {
          grant_type: CIBA_GRANT_TYPE,
          auth_req_id: id,
          ...(waitSeconds > 0 ? { wait: String(waitSeconds) } : {}),
        },
        extraTimeoutMs: waitSeconds * 1000,
        // Not retried here: the loop polls again at the next interval.
        retry: false,
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof StepUpApiError && error.code === 'network_error')
        return { kind: 'unreachable', error };
      throw error;
    }
    if (answer.status === 200) return { kind: 'token', token: this.grantedToken(id, answer) };
    const code = errorCode(answer);
    if (code === 'authorization_pending') return { kind: 'pending' };
    // The only field a server could refuse in a poll the client built is the one it does not know.
    if (code === 'invalid_request' && waitSeconds > 0) return { kind: 'no_long_poll' };
    if (code === 'slow_down') {
      return {
        kind: 'slow_down',
        interval: typeof answer.body.interval === 'number' ? answer.body.interval : undefined,
      };
    }
    if (answer.status >= 500 || answer.status === 429)
      return { kind: 'unreachable', error: apiError(answer, id) };
    if (code === 'access_denied') throw await this.denial(id, answer);
    throw apiError(answer, id);
  }

  /** `access_denied` covers denials and cancellations alike: the request's status tells them apart. */
  private async denial(id: string, answer: HttpAnswer): Promise<StepUpApiError> {
    const description = text(answer.body.error_description) ?? 'denied';
    const details = { status: answer.status, requestId: id, body: answer.body };
    let status: RequestStatus | undefined;
    try {
      status = await this.getStatus(id);
    } catch {
      // Without the status it is reported as the denial the server called it.
    }
    if (status?.status === 'cancelled') return new CancelledError(`cancelled: ${description}`, details);
    return new DeniedError(description, {
      ...details,
      policies: status?.policyOutcome === 'deny' ? status.requirements.policies : [],
    });
  }

  private grantedToken(id: string, answer: HttpAnswer): GrantedToken {
    const { access_token, token_type, expires_in, authorization_details } = answer.body;
    if (typeof access_token !== 'string' || typeof expires_in !== 'number') {
      throw invalidResponse('the token', answer);
    }
    return {
      requestId: id,
      accessToken: access_token,
      tokenType: token_type === 'DPoP' ? 'DPoP' : 'Bearer',
      expiresIn: expires_in,
      expiresAt: new Date(this.now() + expires_in * 1000),
      authorizationDetails: Array.isArray(authorization_details)
        ? authorization_details
            // stepup issues only its own type; an entry of another kind is not an approved action.
            .filter((d): d is Record<string, unknown> => isRecord(d) && d.type === AUTHORIZATION_DETAILS_TYPE)
            .map((d): AuthorizationDetail => ({
              type: AUTHORIZATION_DETAILS_TYPE,
              actions: strings(d.actions),
              identifier: text(d.identifier) ?? '',
              locations: strings(d.locations),
              ...(typeof d.parameters_sha256 === 'string' ? { parameters_sha256: d.parameters_sha256 } : {}),
            }))
        : [],
    };
  }

  private async bearer(): Promise<string> {
    let token: string;
    try {
      token = typeof this.options.token === 'string' ? this.options.token : await this.options.token();
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new UnauthenticatedError(`could not get the workload token: ${why}`, { cause: error });
    }
    if (!token) throw new UnauthenticatedError('no workload token to authenticate with');
    return token;
  }

  /**
   * One HTTP call, answered as status and JSON body. Retries (when allowed) network failures,
   * timeouts, 429 and gateway errors with exponential backoff and jitter.
   * @throws StepUpApiError `network_error` when stepup could not be reached
   */
  private async call(options: CallOptions): Promise<HttpAnswer> {
    const attempts = options.retry ? this.maxAttempts : 1;
    let lastError: unknown;
    for (let attempt = 1; ; attempt++) {
      options.signal?.throwIfAborted();
      const bearer = await this.bearer();
      let answer: HttpAnswer | undefined;
      try {
        answer = await this.once(options, bearer);
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        if (error instanceof StepUpApiError) throw error;
        lastError = error;
      }
      if (answer && !(RETRYABLE_STATUS.has(answer.status) && attempt < attempts)) return answer;
      if (attempt >= attempts) {
        const cause = lastError instanceof Error ? (lastError.cause ?? lastError) : lastError;
        const why = cause instanceof Error ? cause.message : String(cause);
        throw new StepUpApiError('network_error', `could not reach stepup at ${this.baseUrl}: ${why}`, {
          cause: lastError,
        });
      }
      const backoff = 250 * 2 ** (attempt - 1);
      await this.sleep(Math.round(backoff * (1 + this.random())), options.signal);
    }
  }

  private async once(options: CallOptions, bearer: string): Promise<HttpAnswer> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${bearer}`,
      ...options.headers,
    };
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    }
    const timeout = AbortSignal.timeout(this.timeoutMs + (options.extraTimeoutMs ?? 0));
    const response = await this.fetchImpl(`${this.baseUrl}${options.path}`, {
      method: options.method,
      headers,
      body,
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
    const raw = await response.text();
    let parsed: unknown = {};
    if (raw) {
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = undefined;
      }
    }
    if (!isRecord(parsed)) {
      if (response.status >= 500 || response.status === 429) return { status: response.status, body: {} };
      throw new StepUpApiError(
        'invalid_response',
        `stepup at ${this.baseUrl} answered HTTP ${response.status} without a JSON object; is the URL right?`,
        { status: response.status },
      );
    }
    const challenge = response.headers.get('www-authenticate') ?? undefined;
    return { status: response.status, body: parsed, challenge };
  }
}
