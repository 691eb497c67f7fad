import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/**
 * A stand-in for a SPIRE OIDC discovery provider on 127.0.0.1: `/.well-known/openid-configuration`
 * names the issuer and its `jwks_uri` (`/keys`, as SPIRE serves it), and it mints JWT-SVIDs (RS256,
 * `sub` = a SPIFFE id, `aud` = the audience asked for) as a SPIRE agent hands them to workloads.
 */
export class SpireOidcProvider {
  private constructor(
    /** Discovery and key fetches, in order (a test sees the keys are cached). */
    readonly fetched: readonly string[],
    private readonly server: Server,
    readonly issuer: string,
    private readonly privateKey: CryptoKey,
  ) {}

  static async start(): Promise<SpireOidcProvider> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'spire-1', alg: 'RS256', use: 'sig' };
    let issuer = '';
    const fetched: string[] = [];
    const server = createServer((request, response) => {
      fetched.push(request.url ?? '');
      const send = (status: number, body: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.url === '/.well-known/openid-configuration') {
        return send(200, {
          issuer,
          jwks_uri: `${issuer}/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
        });
      }
      if (request.url === '/keys') return send(200, { keys: [jwk] });
      return send(404, {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return new SpireOidcProvider(fetched, server, issuer, privateKey);
  }

  /** A JWT-SVID for `spiffeId`, for `audience`, valid five minutes. */
  svid(spiffeId: string, audience: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'spire-1', typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(spiffeId)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(this.privateKey);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
