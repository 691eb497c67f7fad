/**
 * A tiny resource server: the "orders database" an agent wants to drop a table in. It accepts the
 * action only with a stepup token approved for exactly `db:DropTable` on that table, and only once.
 *
 *   npx tsx examples/resource-server.ts
 *
 * Environment: STEPUP_URL (default http://127.0.0.1:3000), PORT (default 4000).
 */
import { createServer } from 'node:http';
import { createStepUpVerifier, isStepUpTokenError } from '../client/resource-server';

const stepupUrl = (process.env.STEPUP_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const port = Number(process.env.PORT ?? 4000);
/** This server's identity: agents name it as the request's `audience`. */
const AUDIENCE = 'orders-db';

/**
 * This server's own workload JWT, for introspection. In AWS it comes from your workload identity
 * provider; locally the dev issuer mints one (cached for most of its hour).
 */
let cached: { token: string; until: number } | undefined;
async function workloadToken(): Promise<string> {
  if (cached && Date.now() < cached.until) return cached.token;
  const response = await fetch(`${stepupUrl}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub: AUDIENCE }),
  });
  if (!response.ok) throw new Error(`cannot get a workload token from ${stepupUrl}/dev/token`);
  const { access_token } = (await response.json()) as { access_token: string };
  cached = { token: access_token, until: Date.now() + 50 * 60_000 };
  return access_token;
}

const verifier = createStepUpVerifier({
  issuer: stepupUrl, // tokens carry stepup's URL in `iss`
  audience: AUDIENCE,
  introspect: { bearer: workloadToken },
});

const tables = new Set(['prod/orders', 'prod/customers']);

const server = createServer(async (req, res) => {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  // DELETE /tables/prod/orders drops the table prod/orders.
  const match = /^\/tables\/(.+)$/.exec(req.url ?? '');
  if (req.method !== 'DELETE' || !match?.[1]) return reply(404, { error: 'not_found' });
  const table = decodeURIComponent(match[1]);
  const token = /^(?:Bearer|DPoP) (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!token) return reply(401, { error: 'a stepup token is required' });
  try {
    // Checks signature, issuer, audience, expiry, and that the token is for exactly this action on
    // exactly this table; only then consumes it (a second use is refused).
    const claims = await verifier.verifyAndConsume(token, { action: 'db:DropTable', resource: table });
    if (!tables.delete(table)) return reply(404, { error: `no table ${table}` });
    console.log(
      `dropped ${table} for ${claims.client_id}, approved by ${claims.approval.approvers.join(', ')}`,
    );
    return reply(200, {
      dropped: table,
      agent: claims.client_id,
      approved_by: claims.approval.approvers,
      request_id: claims.approval.request_id,
    });
  } catch (error) {
    if (isStepUpTokenError(error)) return reply(error.status, { error: error.code });
    console.error(error);
    return reply(500, { error: 'internal error' });
  }
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  console.log(`orders-db resource server on http://127.0.0.1:${actual} (stepup at ${stepupUrl})`);
});
