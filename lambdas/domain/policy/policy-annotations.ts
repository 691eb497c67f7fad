import type { StepUpConfig } from '../config/config';
import { hasUnsafeCharacters } from '../config/unsafe-characters';

/** Annotation names a policy may carry; anything else is a mistake worth failing on. */
export const KNOWN_ANNOTATIONS = [
  'id',
  'approvers',
  'quorum',
  'approval_timeout',
  'escalate_to',
  'max_ttl',
  'description',
  'mode',
  'assurance',
] as const;

/** Longest `@description`, in characters (code points): one sentence an approver reads at a glance. */
export const MAX_DESCRIPTION_LENGTH = 200;

/** Longest combined description of the deciding policies stored with a request. */
export const MAX_COMBINED_DESCRIPTION_LENGTH = 2 * MAX_DESCRIPTION_LENGTH;

/**
 * `@mode`: `enforce` (the default) decides; `log_only` is evaluated beside the enforced policies and
 * only recorded (audit event and metric), so a team can watch a new rule before it decides anything.
 */
export const POLICY_MODES = ['enforce', 'log_only'] as const;

/** How a policy takes part in decisions (see {@link POLICY_MODES}). */
export type PolicyMode = (typeof POLICY_MODES)[number];

/**
 * `@assurance`: how an approver proves the vote. `slack` (the default) is the click itself;
 * `passkey` asks for a WebAuthn assertion with user verification on stepup's approval page.
 * Ordered weakest first: across determining policies the strictest wins.
 */
export const ASSURANCE_LEVELS = ['slack', 'passkey'] as const;

/** How an approver proves a vote (see {@link ASSURANCE_LEVELS}). */
export type Assurance = (typeof ASSURANCE_LEVELS)[number];

/** What one policy's annotations ask for. Absent means "the config default". */
export interface PolicyAnnotations {
  readonly id: string;
  /** Any-of list of approver groups. */
  readonly approvers?: readonly string[];
  readonly quorum?: number;
  readonly approvalTimeoutSeconds?: number;
  readonly escalateTo?: string;
  readonly maxTtlSeconds?: number;
  /** The policy author's own words on what the policy guards, shown to approvers as such. */
  readonly description?: string;
  /** Absent means `enforce`. */
  readonly mode?: PolicyMode;
  /** Absent means `slack`. */
  readonly assurance?: Assurance;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

function integer(name: string, value: string, max: number, problems: string[]): number | undefined {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    problems.push(`@${name}("${value}") must be a whole number from 1 to ${max}`);
    return undefined;
  }
  return Number(value);
}

function group(name: string, value: string, config: StepUpConfig, problems: string[]): string {
  if (!Object.hasOwn(config.approverGroups, value)) {
    problems.push(`@${name} names group "${value}", which is not in approverGroups of the config`);
  }
  return value;
}

function description(value: string, problems: string[]): string | undefined {
  const single = !/[\r\n\t]/.test(value) && !hasUnsafeCharacters(value);
  if (!single || value.trim() === '' || [...value].length > MAX_DESCRIPTION_LENGTH) {
    problems.push(
      `@description must be one line of 1 to ${MAX_DESCRIPTION_LENGTH} characters without control or invisible characters`,
    );
    return undefined;
  }
  return value.trim();
}

/**
 * What the deciding policies say about themselves (`@description`), in id order, as one text of at
 * most {@link MAX_COMBINED_DESCRIPTION_LENGTH} characters; undefined when none has one.
 */
export function combinedDescription(determining: readonly PolicyAnnotations[]): string | undefined {
  const described = determining.filter((policy) => policy.description !== undefined);
  if (described.length === 0) return undefined;
  const text =
    described.length === 1
      ? (described[0]?.description ?? '')
      : described.map((policy) => `${policy.id}: ${policy.description ?? ''}`).join(' · ');
  const characters = [...text];
  return characters.length <= MAX_COMBINED_DESCRIPTION_LENGTH
    ? text
    : `${characters.slice(0, MAX_COMBINED_DESCRIPTION_LENGTH - 1).join('')}…`;
}

function mode(value: string, problems: string[]): PolicyMode | undefined {
  if ((POLICY_MODES as readonly string[]).includes(value)) return value as PolicyMode;
  problems.push(`@mode("${value}") must be one of ${POLICY_MODES.map((m) => `"${m}"`).join(', ')}`);
  return undefined;
}

function assurance(value: string, problems: string[]): Assurance | undefined {
  if ((ASSURANCE_LEVELS as readonly string[]).includes(value)) return value as Assurance;
  problems.push(`@assurance("${value}") must be one of ${ASSURANCE_LEVELS.map((a) => `"${a}"`).join(', ')}`);
  return undefined;
}

/**
 * Reads and checks one policy's annotations against the config. Forbid policies may carry only `@id`,
 * `@description` and `@mode`.
 * @returns the annotations and every problem found (empty when valid)
 */
export function parsePolicyAnnotations(
  raw: Readonly<Record<string, string>>,
  effect: 'permit' | 'forbid',
  config: StepUpConfig,
): { annotations: PolicyAnnotations; problems: string[] } {
  const problems: string[] = [];
  for (const name of Object.keys(raw)) {
    if (!(KNOWN_ANNOTATIONS as readonly string[]).includes(name)) {
      problems.push(
        `unknown annotation @${name} (known: ${KNOWN_ANNOTATIONS.map((a) => `@${a}`).join(', ')})`,
      );
    } else if (effect === 'forbid' && name !== 'id' && name !== 'description' && name !== 'mode') {
      problems.push(`@${name} has no meaning on a forbid policy`);
    }
  }
  const id = raw.id ?? '';
  if (!ID.test(id)) problems.push('every policy needs @id("…") of letters, digits and _.:- (at most 64)');
  const annotations: PolicyAnnotations = {
    id,
    approvers:
      raw.approvers === undefined
        ? undefined
        : raw.approvers.split(',').map((g) => group('approvers', g.trim(), config, problems)),
    quorum: raw.quorum === undefined ? undefined : integer('quorum', raw.quorum, 10, problems),
    approvalTimeoutSeconds:
      raw.approval_timeout === undefined
        ? undefined
        : integer('approval_timeout', raw.approval_timeout, 86_400, problems),
    escalateTo:
      raw.escalate_to === undefined ? undefined : group('escalate_to', raw.escalate_to, config, problems),
    maxTtlSeconds: raw.max_ttl === undefined ? undefined : integer('max_ttl', raw.max_ttl, 3600, problems),
    description: raw.description === undefined ? undefined : description(raw.description, problems),
    mode: raw.mode === undefined ? undefined : mode(raw.mode, problems),
    assurance: raw.assurance === undefined ? undefined : assurance(raw.assurance, problems),
  };
  return { annotations, problems };
}
