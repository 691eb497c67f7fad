import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import {
  ACCESS_TOKEN_TYP,
  AUTHORIZATION_DETAILS_TYPE,
  REQUIRED_TOKEN_CLAIMS,
  type AuthorizationDetail,
} from '../../lambdas/contract';
import {
  InMemoryDpopReplayCache,
  verifyDpopProof,
  type DpopReplayCache,
  type DpopRequest,
} from './dpop-proof';
import { parametersDigest } from '../../lambdas/domain/requests/parameters-digest';
import { reason, StepUpTokenError } from './errors';
import { sendOutcomeReport, type ActionOutcome, type RecordedOutcome } from './outcome-report';

/** RFC 9396 authorization detail of a stepup token: the one approved action (the shared contract's shape). */
export type StepUpAuthorizationDetail = AuthorizationDetail;

/** Who approved a stepup token, under which policy. */
export interface StepUpApproval {
  readonly request_id: string;
  /** Slack user ids of the approvers (empty when the policy allowed the action alone). */
  readonly approvers: readonly string[];
  /** The ids of the policies that decided. */
  readonly policy: string;
  readonly decided_at?: string;
}

/** The verified claims of a stepup access token (design §4). */
export interface StepUpTokenClaims extends JWTPayload {
  readonly iss: string;
  readonly aud: string | string[];
  /** The agent, or the human it acts for when stepup verified them (then `act.sub` is the agent). */
  readonly sub: string;
  readonly act?: { readonly sub: string };
  /** The agent. */
  readonly client_id: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  readonly authorization_details: readonly StepUpAuthorizationDetail[];
  readonly approval: StepUpApproval;
  /** Present when the token is bound to the agent's DPoP key. */
  readonly cnf?: { readonly jkt: string };
  /**
   * Where the request came from, as the agent said (prompt digest, tool call, session, W3C
   * `traceparent`): agent-supplied, for correlation only, never for a decision.
   */
  readonly trace?: Readonly<Record<string, string>>;
}

/** How a resource server reaches stepup's introspection endpoint. */
export interface IntrospectionOptions {
  /** @default `{issuer}/v1/introspect` */
  readonly url?: string;
  /** This resource server's workload JWT (its `sub` is the tokens' `aud`), fresh on every call. */
  readonly bearer: () => string | Promise<string>;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

/** DPoP proof checking (RFC 9449). */
export interface DpopOptions {
  /** Accepted proof algorithms (asymmetric only). @default `DEFAULT_DPOP_ALGORITHMS` */
  readonly algorithms?: readonly string[];
  /** How far a proof's `iat` may be from now, either way, in seconds. @default 60 */
  readonly maxSkewSeconds?: number;
  /** Where seen proof `jti`s are kept. @default an {@link InMemoryDpopReplayCache} per verifier */
  readonly replayCache?: DpopReplayCache;
}

/** Configuration of {@link createStepUpVerifier}. */
export interface StepUpVerifierOptions {
  /** The stepup base URL, exactly as tokens carry it in `iss` (the metadata's `issuer`). */
  readonly issuer: string;
  /** stepup's API base URL, when it differs from the issuer. @default issuer */
  readonly apiUrl?: string;
  /** This resource server's id: the `audience` agents request tokens for. */
  readonly audience: string;
  /** Key resolver for token signatures. @default `createRemoteJWKSet({issuer}/.well-known/jwks.json)` */
  readonly jwks?: JWTVerifyGetKey;
  readonly introspect: IntrospectionOptions;
  /** Leeway for `exp`/`nbf`, in seconds, at most 30. @default 5 */
  readonly clockToleranceSeconds?: number;
  readonly dpop?: DpopOptions;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default the system clock */
  readonly now?: () => Date;
}

/** What the resource server is about to do with the token, and the request it came with. */
export interface StepUpExpectation {
  /** The action about to be allowed, e.g. `db:DropTable`. */
  readonly action: string;
  /** The resource it applies to, e.g. `prod/orders`. */
  readonly resource: string;
  /** The request's DPoP proof; required when the token is bound to a key (`cnf.jkt`). */
  readonly dpop?: DpopRequest;
  /**
   * The arguments the agent sent, as a JSON value (for example the parsed request body). Required
   * when the approval bound them (`parameters_sha256`): their RFC 8785 digest must match, or the
   * token is refused (`parameters_mismatch`) before anything is consumed.
   */
  readonly parameters?: unknown;
  /** The HTTP method of the call about to be made or served (with `path`): recorded with the token's use. */
  readonly method?: string;
  /** Its URL path, without the query (with `method`): recorded with the token's use. */
  readonly path?: string;
  /** The operation about to be performed, by name: recorded with the token's use. */
  readonly operation?: string;
}

/** Verifies stepup tokens for one resource server. Create once and reuse (it caches keys and proofs). */
export interface StepUpVerifier {
  /**
   * Verifies `token` locally for `expected.action` on `expected.resource` (and its DPoP proof when
   * the token is key-bound), then consumes it through introspection. Nothing is consumed when a
   * local check fails.
   * @returns the token's verified claims; the action may go ahead, once
   * @throws StepUpTokenError with a stable `code`
   */
  verifyAndConsume(token: string, expected: StepUpExpectation): Promise<StepUpTokenClaims>;
  /**
   * Reports how the action the token allowed ended (`POST /v1/requests/{id}/outcome`, with the
   * introspection bearer), after `verifyAndConsume`: the last link of the request's audit trail.
   * Recorded once; the same report again answers as the first did, so a retry is safe.
   * @throws OutcomeReportError (`conflict` when another outcome was recorded)
   */
  recordOutcome(claims: StepUpTokenClaims, outcome: ActionOutcome): Promise<RecordedOutcome>;
}

/** The most `clockToleranceSeconds` may be. */
export const MAX_CLOCK_TOLERANCE_SECONDS = 30;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isAuthorizationDetail(value: unknown): value is StepUpAuthorizationDetail {
  return (
    isObject(value) &&
    value.type === AUTHORIZATION_DETAILS_TYPE &&
    isStringArray(value.actions) &&
    typeof value.identifier === 'string' &&
    isStringArray(value.locations) &&
    (value.parameters_sha256 === undefined || typeof value.parameters_sha256 === 'string')
  );
}

function invalidToken(message: string, cause?: unknown): StepUpTokenError {
  return new StepUpTokenError('invalid_token', `invalid token: ${message}`, { cause });
}

/** The claims jose verified, checked for the shape stepup issues. */
function stepUpClaims(payload: JWTPayload): StepUpTokenClaims {
  const { sub, client_id, jti, authorization_details, approval, act, cnf } = payload;
  if (typeof sub !== 'string' || typeof client_id !== 'string' || typeof jti !== 'string' || !jti) {
    throw invalidToken('"sub", "client_id" and "jti" must be strings');
  }
  if (typeof payload.iat !== 'number' || typeof payload.exp !== 'number') {
    throw invalidToken('"iat" and "exp" must be numbers');
  }
  if (!Array.isArray(authorization_details) || !authorization_details.every(isAuthorizationDetail)) {
    throw invalidToken('"authorization_details" must be stepup_action details');
  }
  if (
    !isObject(approval) ||
    typeof approval.request_id !== 'string' ||
    !isStringArray(approval.approvers) ||
    typeof approval.policy !== 'string'
  ) {
    throw invalidToken('"approval" must name the request, approvers and policy');
  }
  if (act !== undefined && !(isObject(act) && typeof act.sub === 'string')) {
    throw invalidToken('"act" must be an object with a string "sub"');
  }
  if (cnf !== undefined && !(isObject(cnf) && typeof cnf.jkt === 'string' && cnf.jkt.length > 0)) {
    throw invalidToken('"cnf" must carry a "jkt" thumbprint');
  }
  return payload as StepUpTokenClaims;
}

/**
 * The authorization detail that allows exactly `action` on `resource` here.
 * @throws StepUpTokenError `invalid_token`, `wrong_resource` or `wrong_action`
 */
function authorizedDetail(
  claims: StepUpTokenClaims,
  audience: string,
  action: string,
  resource: string,
): StepUpAuthorizationDetail {
  const here = claims.authorization_details.filter((detail) => detail.locations.includes(audience));
  if (here.length === 0) {
    throw invalidToken(`no authorization detail names this resource server (${audience}) in "locations"`);
  }
  const exact = here.find((detail) => detail.identifier === resource && detail.actions.includes(action));
  if (exact) return exact;
  if (here.some((detail) => detail.actions.includes(action))) {
    throw new StepUpTokenError(
      'wrong_resource',
      `the token was approved for ${action} on another resource, not ${resource}`,
    );
  }
  throw new StepUpTokenError('wrong_action', `the token was not approved for ${action}`);
}

/**
 * A verifier for one resource server: checks stepup tokens locally (ES256 only, `typ: at+jwt`,
 * issuer, audience, expiry, required claims, the exact action and resource, DPoP proof when bound)
 * and only then consumes them once through stepup's introspection endpoint.
 *
 * ```ts
 * const stepup = createStepUpVerifier({
 *   issuer: 'https://stepup.example.com',
 *   audience: 'orders-db',
 *   introspect: { bearer: () => workloadIdentity.token() },
 * });
 * const claims = await stepup.verifyAndConsume(token, { action: 'db:DropTable', resource: 'prod/orders' });
 * ```
 * @throws TypeError for an invalid configuration
 */
export function createStepUpVerifier(options: StepUpVerifierOptions): StepUpVerifier {
  const { issuer, audience } = options;
  let base: URL;
  try {
    base = new URL(issuer);
  } catch {
    throw new TypeError(`issuer must be an absolute URL, got ${issuer}`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new TypeError(`issuer must be an http(s) URL, got ${issuer}`);
  }
  if (typeof audience !== 'string' || audience.length === 0) {
    throw new TypeError('audience must be a non-empty string');
  }
  const clockTolerance = options.clockToleranceSeconds ?? 5;
  if (!(clockTolerance >= 0 && clockTolerance <= MAX_CLOCK_TOLERANCE_SECONDS)) {
    throw new TypeError(`clockToleranceSeconds must be between 0 and ${MAX_CLOCK_TOLERANCE_SECONDS}`);
  }
  const root = issuer.replace(/\/+$/, '');
  const apiRoot = (options.apiUrl ?? issuer).replace(/\/+$/, '');
  const jwks = options.jwks ?? createRemoteJWKSet(new URL(`${root}/.well-known/jwks.json`));
  const introspectionUrl = options.introspect.url ?? `${apiRoot}/v1/introspect`;
  const timeoutMs = options.introspect.timeoutMs ?? 5000;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? (() => new Date());
  const replayCache = options.dpop?.replayCache ?? new InMemoryDpopReplayCache(() => now().getTime() / 1000);

  async function verifyLocally(token: string, currentDate: Date): Promise<StepUpTokenClaims> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 8192) {
      throw invalidToken('not a compact JWS');
    }
    try {
      const { payload } = await jwtVerify(token, jwks, {
        algorithms: ['ES256'],
        typ: ACCESS_TOKEN_TYP,
        issuer,
        audience,
        clockTolerance,
        requiredClaims: [...REQUIRED_TOKEN_CLAIMS],
        currentDate,
      });
      return stepUpClaims(payload);
    } catch (error) {
      if (error instanceof StepUpTokenError) throw error;
      throw invalidToken(reason(error), error);
    }
  }

  /** Asks stepup about `token` (with the digest of the received arguments, if any); its `active` answer. */
  async function introspect(
    token: string,
    claims: StepUpTokenClaims,
    parametersSha256: string | undefined,
    expected: StepUpExpectation,
  ): Promise<boolean> {
    const failed = (message: string, cause?: unknown) =>
      new StepUpTokenError('introspection_failed', `introspection failed: ${message}`, { cause });
    const form = new URLSearchParams({ token });
    if (parametersSha256 !== undefined) form.set('parameters_sha256', parametersSha256);
    for (const name of ['method', 'path', 'operation'] as const) {
      const value = expected[name];
      if (value !== undefined) form.set(name, value);
    }
    let body: unknown;
    try {
      const bearer = await options.introspect.bearer();
      const response = await fetchImpl(introspectionUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Bearer ${bearer}`,
        },
        body: form.toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw failed(`${introspectionUrl} answered HTTP ${response.status}`);
      }
      body = await response.json();
    } catch (error) {
      if (error instanceof StepUpTokenError) throw error;
      throw failed(reason(error), error);
    }
    if (!isObject(body) || typeof body.active !== 'boolean') {
      throw failed('the answer has no boolean "active"');
    }
    if (body.active && body.jti !== undefined && body.jti !== claims.jti) {
      throw failed('the answer is about another token (jti differs)');
    }
    return body.active;
  }

  async function consume(
    token: string,
    claims: StepUpTokenClaims,
    expected: StepUpExpectation,
    parametersSha256?: string,
  ): Promise<void> {
    if (!(await introspect(token, claims, parametersSha256, expected))) {
      throw new StepUpTokenError(
        'token_used',
        'the token is not active: already used, revoked or expired at stepup',
      );
    }
  }

  /**
   * Refuses arguments other than the approved ones before anything is consumed. The refusal is
   * reported to stepup (introspection with the received digest, which consumes nothing there and
   * records `parameters_mismatch`); if stepup cannot be reached the refusal stands all the same.
   * @returns the digest of the received arguments, to be checked again by stepup when consuming
   */
  async function checkParameters(
    token: string,
    claims: StepUpTokenClaims,
    detail: StepUpAuthorizationDetail,
    expected: StepUpExpectation,
  ): Promise<string | undefined> {
    const { parameters } = expected;
    const bound = detail.parameters_sha256;
    if (parameters === undefined) {
      if (bound === undefined) return undefined;
      throw new StepUpTokenError(
        'parameters_required',
        'the approval is bound to exact arguments (parameters_sha256): pass the received parameters',
      );
    }
    let presented: string;
    try {
      presented = parametersDigest(parameters);
    } catch (error) {
      throw new StepUpTokenError(
        'parameters_mismatch',
        `the received parameters have no RFC 8785 form: ${reason(error)}`,
        { cause: error },
      );
    }
    if (presented === bound) return presented;
    let reported: unknown;
    try {
      await introspect(token, claims, presented, expected);
    } catch (error) {
      reported = error;
    }
    throw new StepUpTokenError(
      'parameters_mismatch',
      bound === undefined
        ? 'the approval binds no arguments (the token has no parameters_sha256), but parameters were expected'
        : 'the received parameters are not the ones approved (their digest differs from parameters_sha256)',
      reported === undefined ? undefined : { cause: reported },
    );
  }

  return {
    async verifyAndConsume(token, expected) {
      const currentDate = now();
      const claims = await verifyLocally(token, currentDate);
      const detail = authorizedDetail(claims, audience, expected.action, expected.resource);
      if (claims.cnf) {
        if (!expected.dpop) {
          throw new StepUpTokenError(
            'dpop_required',
            'the token is bound to a DPoP key (cnf.jkt): a DPoP proof is required',
          );
        }
        await verifyDpopProof(
          expected.dpop,
          { jkt: claims.cnf.jkt, accessToken: token },
          {
            algorithms: options.dpop?.algorithms,
            maxSkewSeconds: options.dpop?.maxSkewSeconds,
            replayCache,
            now: currentDate,
          },
        );
      }
      const parametersSha256 = await checkParameters(token, claims, detail, expected);
      await consume(token, claims, expected, parametersSha256);
      return claims;
    },
    async recordOutcome(claims, outcome) {
      const id = encodeURIComponent(claims.approval.request_id);
      return sendOutcomeReport(
        {
          url: `${apiRoot}/v1/requests/${id}/outcome`,
          bearer: await options.introspect.bearer(),
          fetch: fetchImpl,
          timeoutMs,
        },
        outcome,
      );
    },
  };
}
