import * as z from 'zod/mini';
import {
  keyMatching,
  namedRecord,
  nonEmptyString,
  once,
  parseConfigPart,
  invariant,
  section,
  type ConfigField,
} from '../config/config-fields';
import { missingRegistration, profileShape, uniqueNames, type AgentProfile } from './agent-registry';

/**
 * One way a workload identity is admitted to the API. Exactly one kind per rule:
 * - `sub`: the JWT's `sub`, exactly;
 * - `subPattern`: the `sub` against a glob where `*` stands for any run of characters (also none,
 *   also `:` and `/`) and every other character stands for itself; anchored at both ends, so
 *   `repo:example-org/example-repo:*` admits every ref of that one repository and nothing else;
 * - `claims`: every listed claim equals the given string exactly (e.g. GitHub Actions'
 *   `repository_owner`, `repository`).
 */
export type AdmitMatch = (
  | { readonly sub: string }
  | { readonly subPattern: string }
  | { readonly claims: Readonly<Record<string, string>> }
) & {
  /**
   * The issuer (`iss`) whose tokens the rule admits; required when the config trusts more than one
   * issuer (`auth.issuers`), so that one issuer cannot mint another's `sub`.
   */
  readonly issuer?: string;
};

/** One admitted agent: how its workload identity is matched, and its registry entry. */
export type AdmitRule = AdmitMatch & AgentProfile;

/** Which workload identities may call the authenticated API (agents and resource servers alike). */
export interface AgentsConfig {
  /** The agent registry. @default [] (nobody: secure by default) */
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
const MATCH_KEYS: readonly string[] = ['sub', 'subPattern', 'claims'];
const CLAIMS_RULE = 'must be a non-empty object of claim name → exact string value';

/** The keys of one admit rule: at most one match key (the shape check says exactly one), then the registry. */
const ruleSection = () =>
  section(
    {
      issuer: z.optional(nonEmptyString()),
      sub: z.optional(nonEmptyString()),
      subPattern: z.optional(
        nonEmptyString().check(
          // A pattern of nothing but `*` admits every workload of the issuer: for GitHub Actions, every
          // job of every repository. That is never what "secure by default" means, so it must be spelt out.
          invariant((pattern: string) =>
            /^\*+$/.test(pattern)
              ? { at: [], message: 'must not admit every sub; name a prefix' }
              : undefined,
          ),
        ),
      ),
      claims: z.optional(
        namedRecord(
          keyMatching(CLAIM_NAME, 'is not a valid claim name'),
          nonEmptyString(),
          CLAIMS_RULE,
        ).check(
          invariant((claims: Readonly<Record<string, string>>) =>
            Object.keys(claims).length > 0 ? undefined : { at: [], message: CLAIMS_RULE },
          ),
        ),
      ),
      ...profileShape(),
    },
    {
      notObject: 'must be an object with one of sub, subPattern, claims',
      shapeProblem: (raw) => {
        const kinds = Object.keys(raw).filter((key) => MATCH_KEYS.includes(key));
        if (kinds.length !== 1) {
          return `must have exactly one of sub, subPattern, claims (got ${kinds.join(', ') || 'none'})`;
        }
        return missingRegistration(raw);
      },
    },
  );

/** One rule of `agents.admit`, its one match key told apart. */
const admitRule = (): ConfigField<AdmitRule> =>
  z.pipe(
    ruleSection(),
    z.transform(({ sub, subPattern, claims, issuer, ...profile }): AdmitRule => {
      const bound = issuer === undefined ? {} : { issuer };
      if (sub !== undefined) return { sub, ...bound, ...profile };
      if (subPattern !== undefined) return { subPattern, ...bound, ...profile };
      // The shape check let through exactly one match key: this is `claims`.
      return { claims: claims ?? {}, ...bound, ...profile };
    }),
  );

const agentsSection = () =>
  section({
    /** An empty list is valid (nobody admitted), so that the parsed config serialises and parses again. */
    admit: z._default(
      z.array(admitRule(), { error: 'must be an array of rules' }).check(uniqueNames()),
      () => [],
    ),
    gateways: z._default(z.array(nonEmptyString(), { error: 'must be an array of workload subs' }), () => []),
  });

/** The config's `agents` (absent: nobody is admitted); an empty `gateways` is left out. */
export const agentsSchema = (): ConfigField<AgentsConfig> =>
  z._default(
    z.pipe(
      agentsSection(),
      z.transform(({ admit, gateways }): AgentsConfig => ({
        admit,
        ...(gateways.length > 0 ? { gateways } : {}),
      })),
    ),
    () => ({ admit: [] }),
  );

// Pure: a bundle that imports this module for admission only carries no schema (nor zod).
const parsedAgents = /* @__PURE__ */ once(agentsSchema);

/**
 * Validates the config's `agents` key (absent: nobody is admitted).
 * @throws StepUpError `invalid_config` naming the offending rule
 */
export function parseAgents(raw: unknown): AgentsConfig {
  return parseConfigPart(parsedAgents(), raw, ['agents']);
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

function admitsBy(rule: AdmitMatch, claims: WorkloadClaims): boolean {
  if (rule.issuer !== undefined && claims.iss !== rule.issuer) return false;
  const sub = claims.sub;
  if ('sub' in rule) return sub === rule.sub;
  if ('subPattern' in rule) return typeof sub === 'string' && matchesSubPattern(rule.subPattern, sub);
  return Object.entries(rule.claims).every(([name, value]) => claims[name] === value);
}

/**
 * The registry entry of the agent whose workload identity is `sub`: the first rule of
 * `agents.admit` that admits that `sub`. What policies, owner messages and agent listings use.
 * A rule bound to an issuer is matched on the `sub` alone (the issuer was checked at admission); a
 * `claims` rule needs the claims, which a stored request does not keep, so it is found only by
 * {@link AgentAdmission.profileOf} while the caller's token is at hand.
 * @returns undefined when no registered rule admits `sub` (an operator, a gateway, a stranger)
 */
export function agentProfileOf(agents: AgentsConfig, sub: string): AgentProfile | undefined {
  const rule = agents.admit.find(
    (candidate) => !('claims' in candidate) && admitsBy({ ...candidate, issuer: undefined }, { sub }),
  );
  return rule && profileOfRule(rule);
}

/** Only the registry keys of a rule. */
export function profileOfRule(rule: AdmitRule): AgentProfile {
  return {
    name: rule.name,
    team: rule.team,
    owners: rule.owners,
    ...(rule.description === undefined ? {} : { description: rule.description }),
  };
}

/**
 * Decides whether a caller is an admitted workload: it matches a registered rule, or one of the
 * unregistered ones: operators and gateways named in the config (by their exact `sub`, since naming
 * them there already admits them) and, locally, the dev issuer's identities.
 */
export class AgentAdmission {
  /** The registry (config `agents.admit`). */
  readonly rules: readonly AdmitRule[];

  /** Admitted without a registry entry. */
  readonly unregistered: readonly AdmitMatch[];

  /** Subs that may ask AuthZEN about any admitted agent (config `agents.gateways`). */
  readonly gateways: ReadonlySet<string>;

  constructor(
    agents: AgentsConfig,
    operators: readonly string[] = [],
    unregistered: readonly AdmitMatch[] = [],
  ) {
    const gateways = agents.gateways ?? [];
    this.rules = agents.admit;
    this.unregistered = [...[...operators, ...gateways].map((sub) => ({ sub })), ...unregistered];
    this.gateways = new Set(gateways);
  }

  /** True when the verified `claims` match at least one rule. */
  admits(claims: WorkloadClaims): boolean {
    return this.profileOf(claims) !== undefined || this.unregistered.some((rule) => admitsBy(rule, claims));
  }

  /**
   * Whether some rule admits the workload `sub` alone, whatever its issuer (an AuthZEN subject: its
   * token is not at hand, so neither its issuer nor its other claims are known).
   */
  admitsSub(sub: string): boolean {
    return [...this.rules, ...this.unregistered].some(
      (rule) => !('claims' in rule) && admitsBy({ ...rule, issuer: undefined }, { sub }),
    );
  }

  /** The registry entry of the first registered rule the verified `claims` match, if any. */
  profileOf(claims: WorkloadClaims): AgentProfile | undefined {
    const rule = this.rules.find((candidate) => admitsBy(candidate, claims));
    return rule && profileOfRule(rule);
  }
}
