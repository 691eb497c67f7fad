import * as z from 'zod/mini';

/*
 * `context.history` as a policy test case or `stepup policy explain --history` gives it: any part of
 * the record the Cedar schema declares (`domain/agents/agent-history.ts`); what is left out is zero.
 */

const count = z.optional(z.int().check(z.minimum(0)));
const windowCounts = z.optional(
  z.strictObject({ requests: count, approved: count, denied: count, expired: count }),
);
const scope = z.optional(z.strictObject({ last_hour: windowCounts, last_24h: windowCounts, pending: count }));

/** Part of an agent history, strictly shaped (a misspelt field is an error, not a zero). */
export const historySchema = z.strictObject({ overall: scope, action: scope, action_on_resource: scope });
