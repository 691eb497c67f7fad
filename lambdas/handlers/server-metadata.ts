import { json } from '../adapters/api-gateway/http-event';
import { httpRoute } from '../adapters/api-gateway/http-route';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { ENV, requireEnv } from '../adapters/env';
import { serverMetadata } from '../api/server-metadata';

/** `GET /.well-known/oauth-authorization-server` (RFC 8414). */
export function serverMetadataHandler(deps: { readonly issuer: string }) {
  const body = serverMetadata(deps.issuer);
  return httpRoute(async () => json(200, body, { 'cache-control': 'public, max-age=3600' }));
}

export const handler = lazyHandler(() => serverMetadataHandler({ issuer: requireEnv(ENV.tokenIssuer) }));
