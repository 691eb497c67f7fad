import { StepUpError } from '../errors';

/** One workload-identity issuer the API trusts, with the audiences its tokens must carry. */
export interface TrustedIssuer {
  /** Its `iss`, e.g. `https://token.actions.githubusercontent.com` or a SPIRE OIDC discovery provider. */
  readonly issuer: string;
  /** Accepted `aud` values (any one). */
  readonly audience: readonly string[];
  /** Its JWKS, when it is not where OIDC discovery says (`<issuer>/.well-known/openid-configuration`). */
  readonly jwksUri?: string;
}

/** The config's `auth`: the workload-identity issuers, each with its own audiences. */
export interface WorkloadAuth {
  readonly issuers: readonly TrustedIssuer[];
}

type Obj = Record<string, unknown>;

function fail(path: string, message: string): never {
  throw new StepUpError('invalid_config', `stepup config: ${path} ${message}`);
}

function object(value: unknown, path: string, keys: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be an object');
  const unknown = Object.keys(value).filter((k) => !keys.includes(k));
  if (unknown.length > 0) fail(path, `has unknown key(s) ${unknown.join(', ')} (known: ${keys.join(', ')})`);
  return value as Obj;
}

/** https, or http on the loopback interface only (a local issuer for development and tests). */
function url(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0) fail(path, 'must be a non-empty string');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    fail(path, 'must be an https:// URL');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    fail(path, 'must be an https:// URL (http:// only on 127.0.0.1 or localhost)');
  }
  return value;
}

function audiences(value: unknown, path: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0)
    fail(path, 'must be a string or a non-empty array of strings');
  return list.map((audience, i) => {
    if (typeof audience !== 'string' || audience.length === 0)
      fail(`${path}[${i}]`, 'must be a non-empty string');
    return audience;
  });
}

function parseIssuer(raw: unknown, path: string): TrustedIssuer {
  const issuer = object(raw, path, ['issuer', 'audience', 'jwksUri']);
  return {
    issuer: url(issuer.issuer, `${path}.issuer`),
    audience: audiences(issuer.audience, `${path}.audience`),
    ...(issuer.jwksUri === undefined ? {} : { jwksUri: url(issuer.jwksUri, `${path}.jwksUri`) }),
  };
}

/**
 * Validates the config's `auth`: `{"issuers": [{issuer, audience, jwksUri?}, …]}`, or the one-issuer
 * form `{issuer, audience}` of configs written before several issuers were possible.
 * @throws StepUpError `invalid_config` naming the offending key
 */
export function parseWorkloadAuth(raw: unknown): WorkloadAuth {
  const auth = object(raw, 'auth', ['issuers', 'issuer', 'audience', 'jwksUri']);
  if (auth.issuers === undefined) return { issuers: [parseIssuer(auth, 'auth')] };
  if (Object.keys(auth).length > 1) fail('auth', 'has issuers beside issuer/audience: use issuers only');
  if (!Array.isArray(auth.issuers) || auth.issuers.length === 0) {
    fail('auth.issuers', 'must be a non-empty array of {issuer, audience}');
  }
  const issuers = auth.issuers.map((issuer, i) => parseIssuer(issuer, `auth.issuers[${i}]`));
  const names = issuers.map((i) => i.issuer);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice) fail('auth.issuers', `names ${twice} twice`);
  return { issuers };
}
