import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { HistoryScope, WindowCounter } from '../../domain/agents/agent-history';

/*
 * Where the history counters live in the requests' table (one layout, read and written only here):
 *
 *   pk = HISTORY#<agent>  sk = DAY#<yyyy-mm-dd>     one item per agent and UTC day:
 *                         `<scope>` (one map per scope) holds the numbers `<counter>_<hh>`, the
 *                         requests counted in that hour; `counted_<counter>_<hh>` is the string set
 *                         of those requests' ids, the marker that makes counting idempotent (never
 *                         read back); `requests_<hh>` is the hourly limit's own set
 *                         (`dynamodb-request-limits.ts`)
 *   pk = HISTORY#<agent>  sk = PENDING#<scope>      `ids`: the scope's requests pending now
 *   pk = AGENTS           sk = <agent>              `agent`, `lastActivity`, `ids` (the agent's
 *                                                   pending requests: the overall scope's set)
 *   pk = DUPLICATE#<agent> sk = <digest of the request>   the pending request identical ones join
 *
 * A scope is `all`, `a.<digest of the action>` or `r.<digest of action and resource>`: digests keep
 * the keys short whatever the names (a resource may be 512 characters).
 */

/** The partition listing every agent that has made a request (`GET /v1/agents` queries it). */
export const AGENTS_PARTITION = 'AGENTS';

/** A short, key-safe digest of `parts` (SHA-256, base64url, 128 bits: collisions are out of reach). */
export function digest(...parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}

/** The id of a history scope for a request for `action` on `resource`. */
export function scopeId(scope: HistoryScope, action: string, resource: string): string {
  if (scope === 'overall') return 'all';
  return scope === 'action' ? `a.${digest(action)}` : `r.${digest(action, resource)}`;
}

/** `yyyy-mm-dd` of `at` in UTC. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The name of `counter` in the hour of `at` (0–23 UTC), e.g. `denied_07`. */
export function hourAttribute(counter: WindowCounter, at: Date | number): string {
  const hour = typeof at === 'number' ? at : at.getUTCHours();
  return `${counter}_${String(hour).padStart(2, '0')}`;
}

/** The attribute of a day item holding the ids counted in `counter` in the hour of `at`. */
export function countedAttribute(counter: WindowCounter, at: Date): string {
  return `counted_${hourAttribute(counter, at)}`;
}

/** The key of an agent's day item. */
export function dayKey(agent: string, day: string): Record<string, AttributeValue> {
  return marshall({ pk: `HISTORY#${agent}`, sk: `DAY#${day}` });
}

/** The key of the item holding a scope's pending requests (the agent's item for the overall scope). */
export function pendingKey(agent: string, scope: string): Record<string, AttributeValue> {
  return scope === 'all'
    ? marshall({ pk: AGENTS_PARTITION, sk: agent })
    : marshall({ pk: `HISTORY#${agent}`, sk: `PENDING#${scope}` });
}

/** The attribute holding the set of pending request ids, in either kind of pending item. */
export const PENDING_IDS = 'ids';
