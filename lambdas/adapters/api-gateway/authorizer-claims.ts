import type { JWTPayload } from 'jose';

/**
 * Verified claims as an HTTP API authorizer hands them to the route (`requestContext.authorizer`):
 * every value a string, as API Gateway's JWT authorizer renders them (numbers and booleans as text,
 * arrays as `[a b]`, objects as JSON), so a handler reads the same shape behind either authorizer.
 */
export function renderedClaims(payload: JWTPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) claims[name] = `[${value.map(String).join(' ')}]`;
    else if (typeof value === 'object' && value !== null) claims[name] = JSON.stringify(value);
    else claims[name] = String(value);
  }
  return claims;
}

/**
 * The authorizer context key that carries why a bearer was refused, instead of claims. The route
 * answers the refusal itself (`claimsOf` throws), because only a handler can send the actionable
 * `401` (`error_description` and `WWW-Authenticate` saying expired / other issuer / other audience):
 * an HTTP API Lambda authorizer's own refusal is a bare `401 {"message":"Unauthorized"}`.
 */
export const REFUSED_BEARER_KEY = 'stepup:refused_bearer';
