import { json } from '../adapters/api-gateway/http-event';
import { httpRoute } from '../adapters/api-gateway/http-route';
import { kmsSigner } from '../adapters/aws/signing-clients';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import type { TokenSigner } from '../ports/token-signer';

/** `GET /.well-known/jwks.json`: the public keys resource servers verify tokens with. */
export function jwksHandler(deps: { readonly signer: TokenSigner }) {
  return httpRoute(async () =>
    json(200, await deps.signer.jwks(), { 'cache-control': 'public, max-age=300' }),
  );
}

export const handler = lazyHandler(() => jwksHandler({ signer: kmsSigner() }));
