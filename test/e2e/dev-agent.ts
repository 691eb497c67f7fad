/**
 * As an agent on a running `npm start` would: mints a dev workload token for `sub` at `/dev/token`,
 * then asks to drop the example orders table (a step-up under the example policies).
 */
export async function requestDropTableAsDevAgent(
  base: string,
  sub: string,
  justification: string,
): Promise<Response> {
  const { access_token: agent } = (await (
    await fetch(`${base}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub }),
    })
  ).json()) as { access_token: string };
  return fetch(`${base}/v1/requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      action: 'db:DropTable',
      resource: 'prod/orders',
      audience: 'orders-db',
      justification,
    }),
  });
}
