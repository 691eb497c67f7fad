import * as z from 'zod/mini';
import { agentsSchema } from '../agents/agent-admission';
import { workloadAuthSchema } from '../agents/trusted-issuers';
import { roleAccount, type AwsTarget } from '../tokens/aws-target';
import {
  integerBetween,
  keyMatching,
  matching,
  namedRecord,
  nonEmptyArray,
  nonEmptyString,
  once,
  parseConfigPart,
  invariant,
  section,
  stringOrList,
  type ConfigField,
} from './config-fields';
import { limitsSchema } from './limits-config';

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
/** A member: a Slack user, or a Slack user group (`S…`) resolved through the Slack API at click time. */
const SLACK_MEMBER = /^[UWS][A-Z0-9]{2,}$/;
const SLACK_CHANNEL = /^[CGD][A-Z0-9]{2,}$/;
const SLACK_TEAM = /^T[A-Z0-9]{2,}$/;
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const AUDIENCE = /^[A-Za-z0-9._:/@-]{1,128}$/;
/** An allowed IAM action: `service:Action`, or a prefix of one ending in `*`. */
const IAM_ACTION_OR_PREFIX = /^[a-z0-9-]{2,64}:[A-Za-z0-9]*\*?$/;

/** One group of humans who may approve, and where they are paged. */
const approverGroup = () =>
  section({
    /** Slack user ids (`U…`/`W…`) or user-group ids (`S…`, resolved through the Slack API). */
    members: nonEmptyArray(
      matching(SLACK_MEMBER, 'a Slack user id (U… or W…) or user-group id (S…)'),
      'must be a non-empty array of Slack user ids',
    ),
    /** Slack channel id the approval message is posted to. */
    channel: matching(SLACK_CHANNEL, 'a Slack channel id (C…)'),
  });

/** One group of humans who may approve, and where they are paged. */
export type ApproverGroup = Readonly<z.output<ReturnType<typeof approverGroup>>>;

/** A role ARN, as `roleAccount` reads it. */
const roleArn = () =>
  nonEmptyString().check(
    z.check<string>((payload) => {
      try {
        roleAccount(payload.value);
      } catch (error) {
        const message = `must be ${(error as Error).message.replace(/^not /, '')}`;
        payload.issues.push({ code: 'custom', message, input: payload.value });
      }
    }),
  );

/** An audience whose actions are AWS API calls (`AwsTarget`). */
const awsTarget = (): ConfigField<AwsTarget> =>
  section({
    roleArn: roleArn(),
    actions: z.optional(
      stringOrList(matching(IAM_ACTION_OR_PREFIX, 'an IAM action or a prefix ending in *')),
    ),
  });

/** The one configuration file (`stepup.config.json`), shared by the CDK app and the local runtime. */
const configSection = () =>
  section({
    slack: section({ teamId: matching(SLACK_TEAM, 'a Slack team id (T…)') }),
    /** The workload-identity issuers accepted on the API, each with its audiences (the authorizer). */
    auth: workloadAuthSchema(),
    approverGroups: namedRecord(keyMatching(GROUP_NAME, 'is not a valid group name'), approverGroup()).check(
      invariant((groups: Readonly<Record<string, ApproverGroup>>) =>
        Object.keys(groups).length > 0 ? undefined : { at: [], message: 'must define at least one group' },
      ),
    ),
    /** Human id or email → Slack user id. */
    people: z._default(
      namedRecord(z.string(), matching(SLACK_USER, 'a Slack user id (U…)')),
      () => Object.create(null) as Record<string, string>,
    ),
    defaults: section({
      /** The group paged when no policy names one; must be in `approverGroups`. */
      approvers: nonEmptyString(),
      approvalTimeoutSeconds: z._default(integerBetween(1, 86_400), 900),
      maxTokenTtlSeconds: z._default(integerBetween(1, 3_600), 300),
    }),
    /** The OIDC provider of the humans agents act for; verifies `subject_token`. Absent: none accepted. */
    humanIdentity: z.optional(
      section({
        issuer: nonEmptyString(),
        audience: nonEmptyString(),
        jwksUri: matching(/^https:\/\//, 'an https:// URL'),
        /** The id_token claim that names the human, as `on_behalf_of` does. @default email */
        claim: z._default(nonEmptyString(), 'email'),
      }),
    ),
    /**
     * Workload subs allowed to use the per-agent kill switch of `POST /v1/revoke`. An empty list is a
     * valid "nobody": it is also what a config without operators serialises to. @default none
     */
    operators: z._default(stringOrList(nonEmptyString(), { orEmpty: true }), () => []),
    /** Workload identities admitted to the authenticated API; everyone else gets `unknown_agent`. @default nobody */
    agents: agentsSchema(),
    /**
     * Audience → the AWS role its tokens are exchanged for (`POST /v1/credentials/aws`). Requests for
     * these audiences must name one IAM action and one exact resource ARN. @default none
     */
    awsTargets: z._default(
      namedRecord(keyMatching(AUDIENCE, 'is not a valid audience'), awsTarget()),
      () => Object.create(null) as Record<string, AwsTarget>,
    ),
    /** How much one agent may ask of the approvers (`limits-config.ts`). @default no limits */
    limits: limitsSchema(),
  });

/** The one configuration file (`stepup.config.json`), shared by the CDK app and the local runtime. */
export type StepUpConfig = Readonly<z.output<ReturnType<typeof configSection>>>;

/**
 * The config's cross-field rules: `defaults.approvers` names a group; each admit rule's `issuer` is
 * one the config trusts, and with several issuers every rule names its own, so that no issuer can
 * mint a `sub` another issuer's agent is admitted by.
 */
// Pure: a bundle that imports this module but never parses a config carries no schema (nor zod).
const configSchema = /* @__PURE__ */ once((): ConfigField<StepUpConfig> =>
  configSection().check(
    invariant((config: StepUpConfig) => {
      const group = config.defaults.approvers;
      if (!Object.hasOwn(config.approverGroups, group)) {
        return { at: ['defaults', 'approvers'], message: `names "${group}", which is not in approverGroups` };
      }
      const trusted = config.auth.issuers.map((i) => i.issuer);
      for (const [i, admitted] of config.agents.admit.entries()) {
        if (admitted.issuer !== undefined && !trusted.includes(admitted.issuer)) {
          return {
            at: ['agents', 'admit', i, 'issuer'],
            message: `must be one of auth.issuers (${trusted.join(', ')})`,
          };
        }
        if (admitted.issuer === undefined && trusted.length > 1) {
          return {
            at: ['agents', 'admit', i],
            message: `must name its issuer: auth has several (${trusted.join(', ')})`,
          };
        }
      }
      return undefined;
    }),
  ),
);

/**
 * Validates raw JSON into a {@link StepUpConfig}.
 * @throws StepUpError `invalid_config` naming the offending key: `stepup config: <path> <what was expected>`
 */
export function parseConfig(raw: unknown): StepUpConfig {
  return parseConfigPart(configSchema(), raw);
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
