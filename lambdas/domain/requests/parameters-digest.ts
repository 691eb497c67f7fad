import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The RFC 8785 (JCS) canonical form of a JSON value: object members sorted by UTF-16 code units, no
 * whitespace, numbers and strings as ECMAScript serialises them. The same arguments always give the
 * same text, whatever order or spacing the agent and the resource server wrote them in.
 * @throws Error for a value JCS cannot represent (a lone surrogate, a non-finite number, a cycle)
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('the value has no JSON representation');
  return text;
}

/**
 * `parameters_sha256`: SHA-256 over the JCS canonical form (UTF-8), base64url without padding. The
 * one definition of the digest, shared by the server (which puts it in the token) and the
 * resource-server helper (which recomputes it from the arguments it received).
 * @throws Error for a value JCS cannot represent
 */
export function parametersDigest(parameters: unknown): string {
  return digestOfCanonicalJson(canonicalJson(parameters));
}

/** {@link parametersDigest} of arguments already in canonical form. */
export function digestOfCanonicalJson(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}
