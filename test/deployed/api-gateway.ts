import { randomUUID } from 'node:crypto';
import { generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import type { FakeAccount } from './aws/account';
import type { LambdaService } from './lambda-host';

/** One route of the HTTP API, as the template defines it. */
interface Route {
  readonly routeKey: string;
  readonly method: string;
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
  readonly functionArn: string;
  /** The JWT authorizer's issuer and audiences; undefined on `AuthorizationType: NONE` routes. */
  readonly jwt?: { readonly issuer: string; readonly audience: readonly string[] };
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

/**
 * A claim as the HTTP API JWT authorizer renders it into `requestContext.authorizer.jwt.claims`:
 * strings stay, numbers and booleans become strings, arrays become `[a b]`.
 */
function renderClaim(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(String).join(' ')}]`;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

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
 * (RouteKey, integration → function), the JWT authorizer checked the way API Gateway does (issuer,
 * audience, expiry, signature against the issuer's keys, 401 before the function is invoked), and
 * payload format 2.0 events and results.
 */
export class HttpApiStandIn {
  private constructor(
    private readonly routes: readonly Route[],
    private readonly lambdas: LambdaService,
    private readonly apiId: string,
    private readonly domainName: string,
    private readonly accountId: string,
    private readonly issuerKey: CryptoKey,
  ) {}

  /**
   * Reads the API's routes from the account's template.
   * @param issuerKey the public key of the workload issuer (the authorizer's JWKS)
   */
  static fromAccount(account: FakeAccount, lambdas: LambdaService, issuerKey: CryptoKey): HttpApiStandIn {
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
      let jwt: Route['jwt'];
      if (properties.AuthorizationType === 'JWT') {
        const authorizer = authorizers.get(String(properties.AuthorizerId));
        const config = authorizer?.JwtConfiguration as { Issuer: string; Audience: string[] } | undefined;
        if (!config) throw new Error(`${routeKey}: JWT route without a JWT authorizer`);
        jwt = { issuer: config.Issuer, audience: config.Audience };
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
        jwt,
      };
    });
    const region = account.env.region;
    return new HttpApiStandIn(
      routes,
      lambdas,
      apiId,
      `${apiId}.execute-api.${region}.amazonaws.com`,
      account.env.account,
      issuerKey,
    );
  }

  /** Route keys of the API, e.g. `POST /v1/requests`, and whether each is JWT-protected. */
  routeKeys(): { routeKey: string; protected: boolean }[] {
    return this.routes.map((route) => ({ routeKey: route.routeKey, protected: route.jwt !== undefined }));
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

    let claims: Record<string, string> | undefined;
    if (route.jwt) {
      const payload = await this.authorize(headers.authorization, route.jwt);
      if (!payload) return respond(401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
      claims = Object.fromEntries(Object.entries(payload).map(([name, value]) => [name, renderClaim(value)]));
    }

    const match = route.pattern.exec(url.pathname)!;
    const pathParameters = Object.fromEntries(
      route.parameterNames.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]),
    );
    const query = [...url.searchParams];
    const base64 = request.body !== undefined && !TEXT_TYPES.test(headers['content-type'] ?? '');
    const now = new Date();
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
        ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
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

  /** The verified claims of a valid bearer token for this authorizer, else undefined (API Gateway's 401). */
  private async authorize(
    authorization: string | undefined,
    jwt: NonNullable<Route['jwt']>,
  ): Promise<JWTPayload | undefined> {
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.issuerKey, {
        issuer: jwt.issuer,
        audience: [...jwt.audience],
        requiredClaims: ['exp'],
      });
      return payload;
    } catch {
      return undefined;
    }
  }
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
    /** The public key the API's JWT authorizer verifies with. */
    readonly publicKey: CryptoKey,
    readonly issuer: string,
    private readonly audience: string,
  ) {}

  /** A fresh ES256 issuer claiming to be `issuer` (the config's `auth.issuer`). */
  static async create(issuer: string, audience: string): Promise<WorkloadIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    return new WorkloadIssuer(privateKey, publicKey, issuer, audience);
  }

  /**
   * A bearer JWT for workload `sub`.
   * @param overrides claims to replace (e.g. `iss`, `aud`, `exp` for the authorizer's refusals)
   */
  async token(sub: string, overrides: JWTPayload = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: this.issuer, aud: this.audience, sub, iat: now, exp: now + 300, ...overrides })
      .setProtectedHeader({ alg: 'ES256', kid: 'deployed-suite' })
      .sign(this.privateKey);
  }
}
