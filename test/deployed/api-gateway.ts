import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { FakeAccount } from './aws/account';
import { LambdaInvokeError, type LambdaService } from './lambda-host';

/** One route of the HTTP API, as the template defines it. */
interface Route {
  readonly routeKey: string;
  readonly method: string;
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
  readonly functionArn: string;
  /** The route's Lambda authorizer (`AuthorizationType: CUSTOM`); undefined on `NONE` routes. */
  readonly authorizer?: LambdaAuthorizer;
}

/** An HTTP API Lambda authorizer as the template defines it (payload 2.0, simple responses). */
interface LambdaAuthorizer {
  readonly functionArn: string;
  /** `$request.header.<name>` sources, lower-cased: a request lacking one is 401 before any call. */
  readonly headers: readonly string[];
}

/** An HTTP request to the API. */
export interface ApiRequest {
  readonly method: string;
  /** Path with an optional query string, e.g. `/v1/requests/abc`. */
  readonly path: string;
  /** @default none */
  readonly headers?: Readonly<Record<string, string>>;
  /** @default no body */
  readonly body?: string;
}

/** What API Gateway answered. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: unknown;
}

/** Content types API Gateway passes as text; any other body reaches the function base64-encoded. */
const TEXT_TYPES = /^(text\/|application\/(json|javascript|xml)|[^;]*\+json)/i;

function routePattern(path: string): { pattern: RegExp; parameterNames: string[] } {
  const parameterNames: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const parameter = /^\{([^}+]+)(\+?)\}$/.exec(segment);
      if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter[1]!);
      return parameter[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), parameterNames };
}

/** The API Gateway access-log date, e.g. `02/Dec/2026:08:00:00 +0000`. */
function requestTime(date: Date): string {
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/**
 * The HTTP API of the template, played in-process: routes from `AWS::ApiGatewayV2::Route`
 * (RouteKey, integration → function), the Lambda authorizer of every protected route invoked the way
 * API Gateway invokes it (the authorizer's own bundle, which fetches the issuers' keys from
 * `OidcIssuersStandIn`), and payload format 2.0 events and results.
 */
export class HttpApiStandIn {
  private constructor(
    private readonly routes: readonly Route[],
    private readonly lambdas: LambdaService,
    private readonly apiId: string,
    private readonly domainName: string,
    private readonly accountId: string,
    private readonly region: string,
  ) {}

  /**
   * Reads the API's routes from the account's template.
   */
  static fromAccount(account: FakeAccount, lambdas: LambdaService): HttpApiStandIn {
    const [apiLogicalId, ...others] = account.logicalIdsOfType('AWS::ApiGatewayV2::Api');
    if (!apiLogicalId || others.length > 0) throw new Error('expected exactly one AWS::ApiGatewayV2::Api');
    const apiId = account.ref(apiLogicalId);
    const integrations = new Map(
      account
        .logicalIdsOfType('AWS::ApiGatewayV2::Integration')
        .map((id) => [account.ref(id), account.properties(id)]),
    );
    const authorizers = new Map(
      account
        .logicalIdsOfType('AWS::ApiGatewayV2::Authorizer')
        .map((id) => [account.ref(id), account.properties(id)]),
    );
    const routes = account.logicalIdsOfType('AWS::ApiGatewayV2::Route').map((id): Route => {
      const properties = account.properties(id);
      const routeKey = String(properties.RouteKey);
      const [method, path] = routeKey.split(' ') as [string, string];
      const integration = integrations.get(String(properties.Target).replace(/^integrations\//, ''));
      if (integration?.IntegrationType !== 'AWS_PROXY' || integration.PayloadFormatVersion !== '2.0') {
        throw new Error(`${routeKey}: expected an AWS_PROXY integration with payload format 2.0`);
      }
      let authorizer: LambdaAuthorizer | undefined;
      if (properties.AuthorizationType === 'CUSTOM') {
        authorizer = lambdaAuthorizer(routeKey, authorizers.get(String(properties.AuthorizerId)));
      } else if (properties.AuthorizationType !== 'NONE') {
        throw new Error(
          `${routeKey}: AuthorizationType ${String(properties.AuthorizationType)} is not played`,
        );
      }
      return {
        routeKey,
        method,
        ...routePattern(path),
        functionArn: String(integration.IntegrationUri),
        authorizer,
      };
    });
    const region = account.env.region;
    return new HttpApiStandIn(
      routes,
      lambdas,
      apiId,
      `${apiId}.execute-api.${region}.amazonaws.com`,
      account.env.account,
      region,
    );
  }

  /** Route keys of the API, e.g. `POST /v1/requests`, and whether each is JWT-protected. */
  routeKeys(): { routeKey: string; protected: boolean }[] {
    return this.routes.map((route) => ({
      routeKey: route.routeKey,
      protected: route.authorizer !== undefined,
    }));
  }

  /** Sends one request through API Gateway: route, authorize, invoke, map the result. */
  async request(request: ApiRequest): Promise<ApiResponse> {
    const url = new URL(request.path, `https://${this.domainName}`);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
    headers.host ??= this.domainName;
    headers['user-agent'] ??= 'stepup-deployed-suite';
    headers['x-forwarded-proto'] = 'https';
    headers['x-forwarded-port'] = '443';
    headers['x-forwarded-for'] = '127.0.0.1';
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    const route = this.routes.find((r) => r.method === request.method && r.pattern.test(url.pathname));
    if (!route) return respond(404, { message: 'Not Found' });

    const match = route.pattern.exec(url.pathname)!;
    const pathParameters = Object.fromEntries(
      route.parameterNames.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]),
    );
    const query = [...url.searchParams];
    const base64 = request.body !== undefined && !TEXT_TYPES.test(headers['content-type'] ?? '');
    const now = new Date();

    let context: unknown;
    if (route.authorizer) {
      const answer = await this.authorize(route, route.authorizer, headers, url, now);
      if ('response' in answer) return answer.response;
      context = answer.context;
    }

    const event = {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(query.length > 0
        ? {
            queryStringParameters: Object.fromEntries(
              query.map(([k]) => [k, url.searchParams.getAll(k).join(',')]),
            ),
          }
        : {}),
      ...(route.parameterNames.length > 0 ? { pathParameters } : {}),
      requestContext: {
        accountId: this.accountId,
        apiId: this.apiId,
        ...(route.authorizer ? { authorizer: { lambda: context } } : {}),
        domainName: this.domainName,
        domainPrefix: this.apiId,
        http: {
          method: request.method,
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: headers['user-agent'],
        },
        requestId: randomUUID().slice(0, 18),
        routeKey: route.routeKey,
        stage: '$default',
        time: requestTime(now),
        timeEpoch: now.getTime(),
      },
      ...(request.body !== undefined
        ? { body: base64 ? Buffer.from(request.body).toString('base64') : request.body }
        : {}),
      isBase64Encoded: base64,
    };

    let result: unknown;
    try {
      result = await this.lambdas.invoke(route.functionArn, event);
    } catch {
      // A failed invocation is a 500 with API Gateway's own body: the function's error never reaches the caller.
      return respond(500, { message: 'Internal Server Error' });
    }
    return mapResult(result);
  }

  /**
   * What API Gateway does with a Lambda authorizer (payload 2.0, simple responses, no caching): a
   * request without an identity source is 401 without a call; otherwise the function is invoked with
   * the authorizer event, and `{isAuthorized: true, context}` lets the request through with the context
   * as `requestContext.authorizer.lambda`, `isAuthorized: false` is 403, an `Unauthorized` error 401,
   * and any other failure 500.
   */
  private async authorize(
    route: Route,
    authorizer: LambdaAuthorizer,
    headers: Readonly<Record<string, string>>,
    url: URL,
    now: Date,
  ): Promise<{ context: unknown } | { response: ApiResponse }> {
    const identity = authorizer.headers.map((name) => headers[name]);
    if (identity.some((value) => !value)) return { response: respond(401, { message: 'Unauthorized' }) };
    const event = {
      version: '2.0',
      type: 'REQUEST',
      routeArn: `arn:aws:execute-api:${this.region}:${this.accountId}:${this.apiId}/$default/${route.routeKey.replace(' ', '')}`,
      identitySource: identity,
      routeKey: route.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      requestContext: {
        accountId: this.accountId,
        apiId: this.apiId,
        domainName: this.domainName,
        http: { method: route.method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        routeKey: route.routeKey,
        stage: '$default',
        timeEpoch: now.getTime(),
      },
    };
    let result: unknown;
    try {
      result = await this.lambdas.invoke(authorizer.functionArn, event);
    } catch (error) {
      if (error instanceof LambdaInvokeError && error.errorMessage === 'Unauthorized') {
        return { response: respond(401, { message: 'Unauthorized' }) };
      }
      return { response: respond(500, { message: 'Internal Server Error' }) };
    }
    const answer = result as { isAuthorized?: unknown; context?: unknown } | null;
    if (answer?.isAuthorized === true) return { context: answer.context ?? {} };
    if (answer?.isAuthorized === false) return { response: respond(403, { message: 'Forbidden' }) };
    return { response: respond(500, { message: 'Internal Server Error' }) };
  }
}

/** The Lambda authorizer a CUSTOM route names, read from its `AWS::ApiGatewayV2::Authorizer`. */
function lambdaAuthorizer(
  routeKey: string,
  properties: Record<string, unknown> | undefined,
): LambdaAuthorizer {
  if (
    properties?.AuthorizerType !== 'REQUEST' ||
    properties.AuthorizerPayloadFormatVersion !== '2.0' ||
    properties.EnableSimpleResponses !== true
  ) {
    throw new Error(`${routeKey}: expected a REQUEST authorizer with payload 2.0 and simple responses`);
  }
  if (properties.AuthorizerResultTtlInSeconds !== 0)
    throw new Error(`${routeKey}: authorizer caching is not played`);
  const functionArn = /functions\/(.+)\/invocations$/.exec(String(properties.AuthorizerUri))?.[1];
  if (!functionArn) throw new Error(`${routeKey}: authorizer without a function`);
  const headers = (properties.IdentitySource as string[]).map((source) => {
    const header = /^\$request\.header\.(.+)$/.exec(source)?.[1];
    if (!header) throw new Error(`${routeKey}: identity source ${source} is not played`);
    return header.toLowerCase();
  });
  return { functionArn, headers };
}

function respond(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  const text = JSON.stringify(body);
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: text, json: body };
}

/** Payload format 2.0 response mapping (a result without `statusCode` is a 200 JSON body). */
function mapResult(result: unknown): ApiResponse {
  const structured = result as {
    statusCode?: number;
    headers?: Record<string, string>;
    body?: string;
    isBase64Encoded?: boolean;
  } | null;
  if (!structured || typeof structured !== 'object' || structured.statusCode === undefined) {
    return respond(200, result);
  }
  const raw = structured.body ?? '';
  const body = structured.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const headers = Object.fromEntries(
    Object.entries(structured.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  let json: unknown;
  try {
    json = JSON.parse(body) as unknown;
  } catch {
    json = undefined;
  }
  return { status: structured.statusCode, headers, body, json };
}

/** A workload identity issuer for the suite: mints the OIDC JWTs agents and resource servers present. */
export class WorkloadIssuer {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
    readonly issuer: string,
    private readonly audience: string,
    private readonly kid: string,
  ) {}

  /**
   * A fresh issuer claiming to be `issuer` (one of the config's `auth.issuers`).
   * @param alg ES256 like GitHub Actions… or RS256, as a SPIRE server signs JWT-SVIDs by default
   */
  static async create(
    issuer: string,
    audience: string,
    alg: 'ES256' | 'RS256' = 'ES256',
  ): Promise<WorkloadIssuer> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `deployed-suite-${alg.toLowerCase()}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    return new WorkloadIssuer(privateKey, publicJwk, issuer, audience, kid);
  }

  /** The issuer's JWKS, as its discovery document points to it. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  /**
   * A bearer JWT for workload `sub`.
   * @param overrides claims to replace (e.g. `iss`, `aud`, `exp` for the authorizer's refusals)
   */
  async token(sub: string, overrides: JWTPayload = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: this.issuer, aud: this.audience, sub, iat: now, exp: now + 300, ...overrides })
      .setProtectedHeader({ alg: String(this.publicJwk.alg), kid: this.kid, typ: 'JWT' })
      .sign(this.privateKey);
  }
}
