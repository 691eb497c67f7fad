import {
  AUTHORIZATION_DETAILS_TYPE,
  CIBA_GRANT_TYPE,
  DEFERRED_GRANT_TYPE,
  TOKEN_EXCHANGE_GRANT_TYPE,
  TOKEN_WAIT_MAX_SECONDS,
} from '../contract';

/**
 * RFC 8414 authorization server metadata for `issuer` (the API base URL), with the CIBA,
 * RFC 9396 and RFC 9449 fields a client needs to find its way, and one of stepup's own:
 * `token_endpoint_wait_max_seconds`, the largest `wait` the token endpoint takes (long-poll; its
 * presence says the endpoint supports it). `deferred_token_response_supported`: the Deferred Token
 * Response draft (-01) on the token-exchange grant.
 */
export function serverMetadata(issuer: string): Record<string, unknown> {
  return {
    issuer,
    backchannel_authentication_endpoint: `${issuer}/v1/requests`,
    token_endpoint: `${issuer}/v1/token`,
    introspection_endpoint: `${issuer}/v1/introspect`,
    revocation_endpoint: `${issuer}/v1/revoke`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    grant_types_supported: [CIBA_GRANT_TYPE, TOKEN_EXCHANGE_GRANT_TYPE, DEFERRED_GRANT_TYPE],
    deferred_token_response_supported: true,
    backchannel_token_delivery_modes_supported: ['poll'],
    token_endpoint_wait_max_seconds: TOKEN_WAIT_MAX_SECONDS,
    token_endpoint_auth_methods_supported: ['bearer_workload_jwt'],
    introspection_endpoint_auth_methods_supported: ['bearer_workload_jwt'],
    revocation_endpoint_auth_methods_supported: ['bearer_workload_jwt'],
    authorization_details_types_supported: [AUTHORIZATION_DETAILS_TYPE],
    dpop_signing_alg_values_supported: ['ES256', 'RS256', 'EdDSA'],
    access_token_signing_alg_values_supported: ['ES256'],
  };
}
