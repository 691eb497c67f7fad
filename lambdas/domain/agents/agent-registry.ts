import { StepUpError } from '../errors';

/**
 * Who an admitted agent is and who answers for it (the registry keys of a rule in `agents.admit`).
 * Policies see `name`, `team` and `owners` as attributes of the Cedar `Agent`.
 */
export interface AgentProfile {
  /** Unique among the admitted agents, e.g. `deploy-bot`. */
  readonly name: string;
  /** The team that runs it, e.g. `payments` (`principal.team == "payments"` in a policy). */
  readonly team: string;
  /** Slack user ids of the humans who answer for it: told of its denials, expiries and kill switch. */
  readonly owners: readonly string[];
  /** What it is for, in the operator's words. */
  readonly description?: string;
}

/** The registry keys of an admit rule, beside the one key that says how it matches. */
export const PROFILE_KEYS = ['name', 'team', 'owners', 'description'] as const;

const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const TEAM = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
/** Printable, single line: shown in Slack and in `stepup policy explain`. */
const DESCRIPTION = /^[^\p{Cc}\p{Cf}\u2028\u2029]{1,200}$/u;

function fail(path: string, message: string): never {
  throw new StepUpError('invalid_config', `stepup config: ${path} ${message}`);
}

/**
 * Validates the registry keys of the admit rule at `path`.
 * @throws StepUpError `invalid_config`; a rule written before the registry existed is told what to add
 */
export function parseProfile(rule: Readonly<Record<string, unknown>>, path: string): AgentProfile {
  const missing = ['name', 'team', 'owners'].filter((key) => rule[key] === undefined);
  if (missing.length > 0) {
    fail(
      path,
      `must register the agent: add ${missing.map((key) => `"${key}"`).join(', ')} ` +
        '(name: unique id like "deploy-bot"; team: e.g. "payments"; owners: Slack user ids who answer for it, ' +
        'e.g. ["U0ALICE"]; optional description)',
    );
  }
  if (typeof rule.name !== 'string' || !NAME.test(rule.name)) {
    fail(
      `${path}.name`,
      'must be 1-64 characters of a-z, 0-9, "-", "_", "." starting with a letter or digit',
    );
  }
  if (typeof rule.team !== 'string' || !TEAM.test(rule.team)) {
    fail(
      `${path}.team`,
      'must be 1-64 characters of A-Z, a-z, 0-9, "-", "_", "." starting with a letter or digit',
    );
  }
  const owners = rule.owners;
  if (!Array.isArray(owners) || owners.length === 0) {
    fail(`${path}.owners`, 'must be a non-empty array of Slack user ids (U… or W…)');
  }
  owners.forEach((owner, i) => {
    if (typeof owner !== 'string' || !SLACK_USER.test(owner)) {
      fail(`${path}.owners[${i}]`, 'must be a Slack user id (U… or W…)');
    }
  });
  if (new Set(owners).size !== owners.length) fail(`${path}.owners`, 'lists an owner twice');
  const description = rule.description;
  if (description !== undefined && (typeof description !== 'string' || !DESCRIPTION.test(description))) {
    fail(`${path}.description`, 'must be 1-200 characters of single-line printable text');
  }
  return {
    name: rule.name,
    team: rule.team,
    owners: owners as string[],
    ...(description === undefined ? {} : { description: description as string }),
  };
}

/**
 * The profile Cedar sees for an admitted identity the registry does not describe (an operator, a
 * gateway, a local dev identity): named by its `sub`, no team (`""`), no owners. Policies compare
 * `principal.team` without a `has` test, so the attribute is always there.
 */
export function unregisteredProfile(sub: string): AgentProfile {
  return { name: sub, team: '', owners: [] };
}

/** Throws when two rules register the same name. */
export function requireUniqueNames(profiles: readonly AgentProfile[]): void {
  const seen = new Set<string>();
  profiles.forEach((profile, i) => {
    if (seen.has(profile.name)) fail(`agents.admit[${i}].name`, `"${profile.name}" is registered twice`);
    seen.add(profile.name);
  });
}
