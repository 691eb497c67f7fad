import { json } from '../adapters/api-gateway/http-event';
import { httpRoute } from '../adapters/api-gateway/http-route';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { ENV, requireEnv } from '../adapters/env';
import { openApiDocument } from '../api/openapi';

/** `GET /openapi.json`: the OpenAPI 3.1 document of this API, built on first use, once per container. */
export function openApiHandler(deps: { readonly issuer: string }) {
  let body: Record<string, unknown> | undefined;
  return httpRoute(async () => {
    body ??= openApiDocument(deps.issuer);
    return json(200, body, { 'cache-control': 'public, max-age=3600' });
  });
}

export const handler = lazyHandler(() => openApiHandler({ issuer: requireEnv(ENV.tokenIssuer) }));
