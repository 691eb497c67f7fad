import { StepUpError } from './errors';

/**
 * One way a workload identity is admitted to the API. Exactly one kind per rule:
 * - `sub`: the JWT's `sub`, exactly;
 * - `subPattern`: the `sub` against a glob where `*` stands for any run of characters (also none,
 *   also `:` and `/`) and every other character stands for itself; anchored at both ends, so
 *   `repo:example-org/example-repo:*` admits every ref of that one repository and nothing else;
 * - `claims`: every listed claim equals the given string exactly (e.g. GitHub Actions'
 *   `repository_owner`, `repository`).
 */
export type AdmitRule =
  | { readonly sub: string }
  | { readonly subPattern: string }
  | { readonly claims: Readonly<Record<string, string>> };

/** Which workload identities may call the authenticated API (agents and resource servers alike). */
export interface AgentsConfig {
  /** @default [] (nobody: secure by default) */
  readonly admit: readonly AdmitRule[];
  /**
   * Workload subs of gateways: they may ask the AuthZEN endpoints what stepup would decide for any
   * admitted agent (everyone else only for itself). Naming one admits it.
   * @default [] (none)
   */
  readonly gateways?: readonly string[];
}

/** The verified claims of a caller's workload JWT, as the JWT authorizer hands them over. */
export type WorkloadClaims = Readonly<Record<string, unknown>>;

const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

function fail(path: string, message: string): never {
  throw new StepUpError('invalid_config', `stepup config: ${path} ${message}`);
}

function nonEmpty(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0) fail(path, 'must be a non-empty string');
  return value;
}

function parseRule(value: unknown, path: string): AdmitRule {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(path, 'must be an object with one of sub, subPattern, claims');
  }
  const keys = Object.keys(value);
  const rule = value as Record<string, unknown>;
  if (keys.length !== 1 || !['sub', 'subPattern', 'claims'].includes(keys[0] ?? '')) {
    fail(path, `must have exactly one of sub, subPattern, claims (got ${keys.join(', ') || 'none'})`);
  }
  if ('sub' in rule) return { sub: nonEmpty(rule.sub, `${path}.sub`) };
  if ('subPattern' in rule) {
    const pattern = nonEmpty(rule.subPattern, `${path}.subPattern`);
    // A pattern of nothing but `*` admits every workload of the issuer: for GitHub Actions, every
    // job of every repository. That is never what "secure by default" means, so it must be spelt out.
    if (/^\*+$/.test(pattern)) fail(`${path}.subPattern`, 'must not admit every sub; name a prefix');
    return { subPattern: pattern };
  }
  const claims = rule.claims;
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims) || !Object.keys(claims).length) {
    fail(`${path}.claims`, 'must be a non-empty object of claim name → exact string value');
  }
  const exact: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, claim] of Object.entries(claims)) {
    if (!CLAIM_NAME.test(name)) fail(`${path}.claims.${name}`, 'is not a valid claim name');
    exact[name] = nonEmpty(claim, `${path}.claims.${name}`);
  }
  return { claims: exact };
}

/**
 * Validates the config's `agents` key (absent: nobody is admitted).
 * @throws StepUpError `invalid_config` naming the offending rule
 */
export function parseAgents(raw: unknown): AgentsConfig {
  if (raw === undefined) return { admit: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('agents', 'must be an object');
  const unknown = Object.keys(raw).filter((k) => k !== 'admit' && k !== 'gateways');
  if (unknown.length > 0) fail('agents', `has unknown key(s) ${unknown.join(', ')} (known: admit, gateways)`);
  const admit = (raw as { admit?: unknown }).admit ?? [];
  // An empty list is valid (nobody admitted) so that the parsed config serialises and parses again.
  if (!Array.isArray(admit)) fail('agents.admit', 'must be an array of rules');
  const gateways = (raw as { gateways?: unknown }).gateways ?? [];
  if (!Array.isArray(gateways)) fail('agents.gateways', 'must be an array of workload subs');
  return {
    admit: admit.map((rule, i) => parseRule(rule, `agents.admit[${i}]`)),
    ...(gateways.length > 0
      ? { gateways: gateways.map((sub, i) => nonEmpty(sub, `agents.gateways[${i}]`)) }
      : {}),
  };
}

/** Whether `value` matches the anchored glob `pattern` (`*` = any run of characters). */
export function matchesSubPattern(pattern: string, value: string): boolean {
  const [first = '', ...rest] = pattern.split('*');
  if (rest.length === 0) return value === first;
  const last = rest.pop() ?? '';
  if (!value.startsWith(first) || value.length < first.length + last.length) return false;
  if (!value.endsWith(last)) return false;
  // Greedy-free left-to-right search of the middle pieces, between the fixed head and tail.
  let at = first.length;
  const end = value.length - last.length;
  for (const piece of rest) {
    const found = value.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

function admitsBy(rule: AdmitRule, claims: WorkloadClaims): boolean {
  const sub = claims.sub;
  if ('sub' in rule) return sub === rule.sub;
  if ('subPattern' in rule) return typeof sub === 'string' && matchesSubPattern(rule.subPattern, sub);
  return Object.entries(rule.claims).every(([name, value]) => claims[name] === value);
}

/**
 * Decides whether a caller is an admitted workload: it matches one of `rules`. Operators and
 * gateways named in the config are admitted by their exact `sub` too, since naming them there
 * already admits them.
 */
export class AgentAdmission {
  readonly rules: readonly AdmitRule[];

  /** Subs that may ask AuthZEN about any admitted agent (config `agents.gateways`). */
  readonly gateways: ReadonlySet<string>;

  constructor(agents: AgentsConfig, operators: readonly string[] = []) {
    const gateways = agents.gateways ?? [];
    this.rules = [...agents.admit, ...[...operators, ...gateways].map((sub) => ({ sub }))];
    this.gateways = new Set(gateways);
  }

  /** True when the verified `claims` match at least one rule. */
  admits(claims: WorkloadClaims): boolean {
    return this.rules.some((rule) => admitsBy(rule, claims));
  }
}
