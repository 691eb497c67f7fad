import { parseAgents, type AgentsConfig } from '../agents/agent-admission';
import { roleAccount, type AwsTarget } from '../tokens/aws-target';
import { StepUpError } from '../errors';
import { parseWorkloadAuth, type WorkloadAuth } from '../agents/trusted-issuers';
import { parseLimits, type LimitsConfig } from './limits-config';

/** One group of humans who may approve, and where they are paged. */
export interface ApproverGroup {
  /** Slack user ids (`U…`/`W…`) or user-group ids (`S…`, resolved through the Slack API). */
  readonly members: readonly string[];
  /** Slack channel id the approval message is posted to. */
  readonly channel: string;
}

/** The one configuration file (`stepup.config.json`), shared by the CDK app and the local runtime. */
export interface StepUpConfig {
  readonly slack: { readonly teamId: string };
  /** The workload-identity issuers accepted on the API, each with its audiences (the authorizer). */
  readonly auth: WorkloadAuth;
  readonly approverGroups: Readonly<Record<string, ApproverGroup>>;
  /** Human id or email → Slack user id. */
  readonly people: Readonly<Record<string, string>>;
  readonly defaults: {
    readonly approvers: string;
    readonly approvalTimeoutSeconds: number;
    readonly maxTokenTtlSeconds: number;
  };
  /** The OIDC provider of the humans agents act for; verifies `subject_token`. Absent: none accepted. */
  readonly humanIdentity?: {
    readonly issuer: string;
    readonly audience: string;
    readonly jwksUri: string;
    /** The id_token claim that names the human, as `on_behalf_of` does. @default email */
    readonly claim: string;
  };
  /** Workload subs allowed to use the per-agent kill switch of `POST /v1/revoke`. @default none */
  readonly operators: readonly string[];
  /** Workload identities admitted to the authenticated API; everyone else gets `unknown_agent`. @default nobody */
  readonly agents: AgentsConfig;
  /**
   * Audience → the AWS role its tokens are exchanged for (`POST /v1/credentials/aws`). Requests for
   * these audiences must name one IAM action and one exact resource ARN.
   * @default none
   */
  readonly awsTargets: Readonly<Record<string, AwsTarget>>;
  /** How much one agent may ask of the approvers (`limits-config.ts`). @default no limits */
  readonly limits: LimitsConfig;
}

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
/** A member: a Slack user, or a Slack user group (`S…`) resolved through the Slack API at click time. */
const SLACK_MEMBER = /^[UWS][A-Z0-9]{2,}$/;
const SLACK_CHANNEL = /^[CGD][A-Z0-9]{2,}$/;
const SLACK_TEAM = /^T[A-Z0-9]{2,}$/;

type Obj = Record<string, unknown>;

function fail(path: string, message: string): never {
  throw new StepUpError('invalid_config', `stepup config: ${path} ${message}`);
}

function object(value: unknown, path: string, keys?: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be an object');
  const unknown = keys ? Object.keys(value).filter((k) => !keys.includes(k)) : [];
  if (unknown.length > 0) fail(path, `has unknown key(s) ${unknown.join(', ')} (known: ${keys?.join(', ')})`);
  return value as Obj;
}

function string(value: unknown, path: string, pattern?: RegExp, hint?: string): string {
  if (typeof value !== 'string' || value.length === 0) fail(path, 'must be a non-empty string');
  if (pattern && !pattern.test(value)) fail(path, `must be ${hint ?? `like ${pattern}`}, got "${value}"`);
  return value;
}

function positiveInt(value: unknown, path: string, max: number): number {
  if (!Number.isInteger(value) || (value as number) <= 0 || (value as number) > max) {
    fail(path, `must be an integer between 1 and ${max}`);
  }
  return value as number;
}

function stringList(value: unknown, path: string): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || value.length === 0)
    fail(path, 'must be a string or a non-empty array of strings');
  return value.map((v, i) => string(v, `${path}[${i}]`));
}

/**
 * Validates raw JSON into a {@link StepUpConfig}.
 * @throws StepUpError `invalid_config` naming the offending key.
 */
export function parseConfig(raw: unknown): StepUpConfig {
  const root = object(raw, '(root)', [
    'slack',
    'auth',
    'approverGroups',
    'people',
    'defaults',
    'humanIdentity',
    'operators',
    'agents',
    'awsTargets',
    'limits',
  ]);
  const slack = object(root.slack, 'slack', ['teamId']);
  const groupsRaw = object(root.approverGroups, 'approverGroups');
  // Null-prototype records: a group named "constructor" or "__proto__" is just an unknown name.
  const approverGroups: Record<string, ApproverGroup> = Object.create(null) as Record<string, ApproverGroup>;
  for (const [name, value] of Object.entries(groupsRaw)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name))
      fail(`approverGroups.${name}`, 'is not a valid group name');
    const group = object(value, `approverGroups.${name}`, ['members', 'channel']);
    if (!Array.isArray(group.members) || group.members.length === 0) {
      fail(`approverGroups.${name}.members`, 'must be a non-empty array of Slack user ids');
    }
    approverGroups[name] = {
      members: group.members.map((m, i) =>
        string(
          m,
          `approverGroups.${name}.members[${i}]`,
          SLACK_MEMBER,
          'a Slack user id (U… or W…) or user-group id (S…)',
        ),
      ),
      channel: string(
        group.channel,
        `approverGroups.${name}.channel`,
        SLACK_CHANNEL,
        'a Slack channel id (C…)',
      ),
    };
  }
  if (Object.keys(approverGroups).length === 0) fail('approverGroups', 'must define at least one group');

  const peopleRaw = object(root.people ?? {}, 'people');
  const people: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [human, slackId] of Object.entries(peopleRaw)) {
    people[human] = string(slackId, `people.${human}`, SLACK_USER, 'a Slack user id (U…)');
  }

  const defaults = object(root.defaults, 'defaults', [
    'approvers',
    'approvalTimeoutSeconds',
    'maxTokenTtlSeconds',
  ]);
  const defaultGroup = string(defaults.approvers, 'defaults.approvers');
  if (!Object.hasOwn(approverGroups, defaultGroup)) {
    fail('defaults.approvers', `names "${defaultGroup}", which is not in approverGroups`);
  }

  const human =
    root.humanIdentity === undefined
      ? undefined
      : object(root.humanIdentity, 'humanIdentity', ['issuer', 'audience', 'jwksUri', 'claim']);
  // An empty list is a valid "nobody": it is also what a config without operators serialises to.
  const operators =
    root.operators === undefined || (Array.isArray(root.operators) && root.operators.length === 0)
      ? []
      : stringList(root.operators, 'operators');

  const auth = parseWorkloadAuth(root.auth);
  const agents = parseAgents(root.agents);
  requireRuleIssuers(agents, auth);
  return {
    slack: { teamId: string(slack.teamId, 'slack.teamId', SLACK_TEAM, 'a Slack team id (T…)') },
    auth,
    approverGroups,
    people,
    defaults: {
      approvers: defaultGroup,
      approvalTimeoutSeconds: positiveInt(
        defaults.approvalTimeoutSeconds ?? 900,
        'defaults.approvalTimeoutSeconds',
        86_400,
      ),
      maxTokenTtlSeconds: positiveInt(
        defaults.maxTokenTtlSeconds ?? 300,
        'defaults.maxTokenTtlSeconds',
        3_600,
      ),
    },
    ...(human
      ? {
          humanIdentity: {
            issuer: string(human.issuer, 'humanIdentity.issuer'),
            audience: string(human.audience, 'humanIdentity.audience'),
            jwksUri: string(human.jwksUri, 'humanIdentity.jwksUri', /^https:\/\//, 'an https:// URL'),
            claim: human.claim === undefined ? 'email' : string(human.claim, 'humanIdentity.claim'),
          },
        }
      : {}),
    operators,
    agents,
    awsTargets: parseAwsTargets(root.awsTargets),
    limits: parseLimits(root.limits),
  };
}

/**
 * Each admit rule's `issuer` is one the config trusts; with several issuers every rule names its own,
 * so that no issuer can mint a `sub` another issuer's agent is admitted by.
 */
function requireRuleIssuers(agents: AgentsConfig, auth: WorkloadAuth): void {
  const trusted = auth.issuers.map((i) => i.issuer);
  agents.admit.forEach((rule, i) => {
    if (rule.issuer !== undefined && !trusted.includes(rule.issuer)) {
      fail(`agents.admit[${i}].issuer`, `must be one of auth.issuers (${trusted.join(', ')})`);
    }
    if (rule.issuer === undefined && trusted.length > 1) {
      fail(`agents.admit[${i}]`, `must name its issuer: auth has several (${trusted.join(', ')})`);
    }
  });
}

const AUDIENCE = /^[A-Za-z0-9._:/@-]{1,128}$/;
/** An allowed IAM action: `service:Action`, or a prefix of one ending in `*`. */
const IAM_ACTION_OR_PREFIX = /^[a-z0-9-]{2,64}:[A-Za-z0-9]*\*?$/;

function parseAwsTargets(raw: unknown): Record<string, AwsTarget> {
  const targets: Record<string, AwsTarget> = Object.create(null) as Record<string, AwsTarget>;
  for (const [audience, value] of Object.entries(object(raw ?? {}, 'awsTargets'))) {
    const path = `awsTargets.${audience}`;
    if (!AUDIENCE.test(audience)) fail(path, 'is not a valid audience');
    const target = object(value, path, ['roleArn', 'actions']);
    const roleArn = string(target.roleArn, `${path}.roleArn`);
    try {
      roleAccount(roleArn);
    } catch (error) {
      fail(`${path}.roleArn`, `must be ${(error as Error).message.replace(/^not /, '')}`);
    }
    targets[audience] =
      target.actions === undefined
        ? { roleArn }
        : {
            roleArn,
            actions: stringList(target.actions, `${path}.actions`).map((action, i) =>
              string(
                action,
                `${path}.actions[${i}]`,
                IAM_ACTION_OR_PREFIX,
                'an IAM action or a prefix ending in *',
              ),
            ),
          };
  }
  return targets;
}

/**
 * The config as the JSON the deployed functions parse again at run time (`STEPUP_CONFIG_JSON`).
 * `parseConfig(JSON.parse(serializeConfig(c)))` equals `c` for every valid config; the unit tests hold
 * that for the sample and the edge cases, because a config that synthesizes but does not parse back
 * would crash every function at start-up.
 * @example
 * fn.addEnvironment('STEPUP_CONFIG_JSON', serializeConfig(parseConfig(raw)));
 */
export function serializeConfig(config: StepUpConfig): string {
  return JSON.stringify(config);
}
