import * as z from 'zod/mini';
import { integerBetween, section, type ConfigField } from './config-fields';

/** Most a count limit may be set to. */
const MAX_COUNT = 100_000;

/**
 * Config `limits`: how much one agent may ask of the approvers. Each is optional; absent means no
 * limit. They live in the config, not in policy annotations: a limit protects the approvers and the
 * service whatever the request, it is counted per agent before any policy's requirements apply, and
 * one number per deployment is what an operator can reason about (a per-policy limit would count
 * the same requests against several budgets).
 */
const limitsSection = () =>
  section(
    {
      /**
       * An identical pending request (same agent, action, resource, audience, parameters digest) joins
       * the pending one: same `auth_req_id`, nobody paged again, `"deduplicated": true`. @default false
       */
      deduplicate: z.optional(z.boolean({ error: 'must be true or false' })),
      /** Requests of one agent pending at once; one more is refused with 429. */
      pendingPerAgent: z.optional(integerBetween(1, MAX_COUNT)),
      /** New requests of one agent per clock hour (UTC); one more is refused with 429 until the next hour. */
      requestsPerAgentPerHour: z.optional(integerBetween(1, MAX_COUNT)),
      /**
       * Approval messages one approver group gets per UTC minute; the group's further requests of that
       * minute are listed in one digest message instead (each still opened and decided from there).
       */
      pagesPerGroupPerMinute: z.optional(integerBetween(1, MAX_COUNT)),
    },
    { unknownKeys: ([first = '']) => ({ message: 'is not a known limit', at: first }) },
  );

/** Config `limits` (absent: no limits). */
export const limitsSchema = (): ConfigField<LimitsConfig> => z._default(limitsSection(), () => ({}));

/** How much one agent may ask of the approvers (see {@link limitsSchema}). */
export type LimitsConfig = Readonly<z.output<ReturnType<typeof limitsSection>>>;
