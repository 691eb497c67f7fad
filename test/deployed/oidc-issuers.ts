import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

/** An issuer the stand-in serves: its `iss` and its public keys. */
export interface ServedIssuer {
  readonly issuer: string;
  jwks(): { keys: JWK[] };
}

/**
 * The workload issuers' OIDC discovery endpoints, as GitHub Actions and a SPIRE OIDC discovery
 * provider serve them (`/.well-known/openid-configuration` naming the issuer and its `jwks_uri`,
 * and the JWKS), on 127.0.0.1 under `/<n>/`. The Lambda hosts reach it through
 * {@link OidcIssuersStandIn.redirects}: their network guard rewrites fetches of `<issuer>/…` to
 * `<stand-in>/<n>/…` (the hosts have no internet), so the authorizer bundle runs unchanged.
 */
export class OidcIssuersStandIn {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly issuers: readonly ServedIssuer[],
  ) {}

  static async start(issuers: readonly ServedIssuer[]): Promise<OidcIssuersStandIn> {
    const server = createServer((request, response) => {
      const [, index, ...rest] = (request.url ?? '').split('/');
      const issuer = issuers[Number(index)];
      const path = `/${rest.join('/')}`;
      const send = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (!issuer || request.method !== 'GET') return send(404, { message: 'not found' });
      if (path === '/.well-known/openid-configuration') {
        return send(200, { issuer: issuer.issuer, jwks_uri: `${issuer.issuer}/jwks` });
      }
      if (path === '/jwks') return send(200, issuer.jwks());
      return send(404, { message: 'not found' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new OidcIssuersStandIn(server, `http://127.0.0.1:${port}`, issuers);
  }

  /** `STEPUP_SUITE_REDIRECTS` for the hosts: each issuer's URL prefix → its place on the stand-in. */
  redirects(): string {
    return JSON.stringify(
      Object.fromEntries(this.issuers.map((issuer, i) => [issuer.issuer, `${this.url}/${i}`])),
    );
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
