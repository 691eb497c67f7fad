/**
 * Headers on every local response. `nosniff`: a browser must not run a JSON answer that echoes
 * agent text as a script or page. `no-store`: tokens and request state are never cached (a route
 * that may be cached, like the JWKS, says so itself and wins).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};
