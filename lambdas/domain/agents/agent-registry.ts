import * as z from 'zod/mini';
import { invariant, nonEmptyArray } from '../config/config-fields';

const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const TEAM = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
/** Printable, single line: shown in Slack and in `stepup policy explain`. */
const DESCRIPTION = /^[^\p{Cc}\p{Cf}\u2028\u2029]{1,200}$/u;

/** A string matching `pattern`, anything else refused with `error`. */
const stringMatching = (pattern: RegExp, error: string) =>
  z.string({ error }).check(z.regex(pattern, { error }));

const NAME_RULE = 'must be 1-64 characters of a-z, 0-9, "-", "_", "." starting with a letter or digit';
const TEAM_RULE = 'must be 1-64 characters of A-Z, a-z, 0-9, "-", "_", "." starting with a letter or digit';
const OWNER_RULE = 'must be a Slack user id (U… or W…)';

/**
 * The registry keys of an admit rule in `agents.admit`: who an admitted agent is and who answers for
 * it. Policies see `name`, `team` and `owners` as attributes of the Cedar `Agent`.
 */
export const profileShape = () => ({
  /** Unique among the admitted agents, e.g. `deploy-bot`. */
  name: stringMatching(NAME, NAME_RULE),
  /** The team that runs it, e.g. `payments` (`principal.team == "payments"` in a policy). */
  team: stringMatching(TEAM, TEAM_RULE),
  /** Slack user ids of the humans who answer for it: told of its denials, expiries and kill switch. */
  owners: nonEmptyArray(
    stringMatching(SLACK_USER, OWNER_RULE),
    'must be a non-empty array of Slack user ids (U… or W…)',
  ).check(
    invariant((owners: readonly string[]) =>
      new Set(owners).size === owners.length ? undefined : { at: [], message: 'lists an owner twice' },
    ),
  ),
  /** What it is for, in the operator's words. */
  description: z.optional(
    stringMatching(DESCRIPTION, 'must be 1-200 characters of single-line printable text'),
  ),
});

/** Who an admitted agent is and who answers for it (see {@link profileShape}). */
export type AgentProfile = Readonly<z.output<z.ZodMiniObject<ReturnType<typeof profileShape>>>>;

/**
 * What a rule written before the registry existed is told, when it lacks registry keys.
 * @returns undefined when `rule` has them all
 */
export function missingRegistration(rule: Readonly<Record<string, unknown>>): string | undefined {
  const missing = ['name', 'team', 'owners'].filter((key) => rule[key] === undefined);
  if (missing.length === 0) return undefined;
  return (
    `must register the agent: add ${missing.map((key) => `"${key}"`).join(', ')} ` +
    '(name: unique id like "deploy-bot"; team: e.g. "payments"; owners: Slack user ids who answer for it, ' +
    'e.g. ["U0ALICE"]; optional description)'
  );
}

/** The rule over a list of registry entries that each name is registered once (the second is named). */
export const uniqueNames = () =>
  invariant((profiles: readonly AgentProfile[]) => {
    const seen = new Set<string>();
    for (const [i, { name }] of profiles.entries()) {
      if (seen.has(name)) return { at: [i, 'name'], message: `"${name}" is registered twice` };
      seen.add(name);
    }
    return undefined;
  });

/**
 * The profile Cedar sees for an admitted identity the registry does not describe (an operator, a
 * gateway, a local dev identity): named by its `sub`, no team (`""`), no owners. Policies compare
 * `principal.team` without a `has` test, so the attribute is always there.
 */
export function unregisteredProfile(sub: string): AgentProfile {
  return { name: sub, team: '', owners: [] };
}
