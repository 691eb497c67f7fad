import { json } from '../adapters/api-gateway/http-event';
import { httpRoute } from '../adapters/api-gateway/http-route';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { ENV, requireEnv } from '../adapters/env';
import { authzenConfiguration } from '../api/authzen-metadata';

/** `GET /.well-known/authzen-configuration`: the OpenID AuthZEN PDP metadata. */
export function authzenConfigurationHandler(deps: { readonly issuer: string }) {
  const body = authzenConfiguration(deps.issuer);
  return httpRoute(async () => json(200, body, { 'cache-control': 'public, max-age=3600' }));
}

export const handler = lazyHandler(() =>
  authzenConfigurationHandler({ issuer: requireEnv(ENV.tokenIssuer) }),
);
