import { json } from '../adapters/api-gateway/http-event';
import { httpRoute } from '../adapters/api-gateway/http-route';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { ENV, requireEnv } from '../adapters/env';
import { envConfig } from '../adapters/env-config';
import { protectedResourceMetadata } from '../api/protected-resource-metadata';

/** `GET /.well-known/oauth-protected-resource` (RFC 9728): the remote MCP endpoint's metadata. */
export function protectedResourceMetadataHandler(deps: {
  readonly apiUrl: string;
  readonly workloadIssuers: readonly string[];
}) {
  const body = protectedResourceMetadata(deps.apiUrl, deps.workloadIssuers);
  return httpRoute(async () => json(200, body, { 'cache-control': 'public, max-age=3600' }));
}

export const handler = lazyHandler(() =>
  protectedResourceMetadataHandler({
    apiUrl: requireEnv(ENV.tokenIssuer),
    workloadIssuers: envConfig().auth.issuers.map((trusted) => trusted.issuer),
  }),
);
