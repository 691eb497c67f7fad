import type { StepUpConfig } from './config';

/** Annotation names a policy may carry; anything else is a mistake worth failing on. */
export const KNOWN_ANNOTATIONS = [
  'id',
  'approvers',
  'quorum',
  'approval_timeout',
  'escalate_to',
  'max_ttl',
] as const;

/** What one policy's annotations ask for. Absent means "the config default". */
export interface PolicyAnnotations {
  readonly id: string;
  /** Any-of list of approver groups. */
  readonly approvers?: readonly string[];
  readonly quorum?: number;
  readonly approvalTimeoutSeconds?: number;
  readonly escalateTo?: string;
  readonly maxTtlSeconds?: number;
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

/**
 * Reads and checks one policy's annotations against the config. Forbid policies may carry only `@id`.
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
    } else if (effect === 'forbid' && name !== 'id') {
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
  };
  return { annotations, problems };
}
