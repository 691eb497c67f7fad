import { StepUpError } from '../errors';

/**
 * Config `limits`: how much one agent may ask of the approvers. Each is optional; absent means no
 * limit. They live in the config, not in policy annotations: a limit protects the approvers and the
 * service whatever the request, it is counted per agent before any policy's requirements apply, and
 * one number per deployment is what an operator can reason about (a per-policy limit would count
 * the same requests against several budgets).
 */
export interface LimitsConfig {
  /**
   * An identical pending request (same agent, action, resource, audience, parameters digest) joins
   * the pending one: same `auth_req_id`, nobody paged again, `"deduplicated": true`. @default false
   */
  readonly deduplicate?: boolean;
  /** Requests of one agent pending at once; one more is refused with 429. */
  readonly pendingPerAgent?: number;
  /** New requests of one agent per clock hour (UTC); one more is refused with 429 until the next hour. */
  readonly requestsPerAgentPerHour?: number;
  /**
   * Approval messages one approver group gets per UTC minute; the group's further requests of that
   * minute are listed in one digest message instead (each still opened and decided from there).
   */
  readonly pagesPerGroupPerMinute?: number;
}

const COUNTS = ['pendingPerAgent', 'requestsPerAgentPerHour', 'pagesPerGroupPerMinute'] as const;

function fail(path: string, message: string): never {
  throw new StepUpError('invalid_config', `stepup config: ${path} ${message}`);
}

/**
 * Validates config `limits`.
 * @throws StepUpError `invalid_config` naming the offending key
 */
export function parseLimits(raw: unknown): LimitsConfig {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('limits', 'must be an object');
  const limits: Record<string, number | boolean> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'deduplicate') {
      if (typeof value !== 'boolean') fail('limits.deduplicate', 'must be true or false');
      limits[key] = value;
      continue;
    }
    if (!(COUNTS as readonly string[]).includes(key)) fail(`limits.${key}`, 'is not a known limit');
    if (!Number.isInteger(value) || (value as number) <= 0 || (value as number) > 100_000) {
      fail(`limits.${key}`, 'must be an integer between 1 and 100000');
    }
    limits[key] = value as number;
  }
  return limits;
}
