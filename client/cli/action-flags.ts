import { UsageError } from './args';

/**
 * The flags that describe the one action asked for, the same for `stepup request` and
 * `stepup policy explain` (which shows what stepup would decide for that request).
 */
export const ACTION_OPTIONS = {
  action: { type: 'string' },
  resource: { type: 'string' },
  audience: { type: 'string' },
  'on-behalf-of': { type: 'string' },
  signal: { type: 'string', multiple: true },
} as const;

/**
 * `--signal name=value`, repeatable: the request's context signals the policies read, as given
 * (the value may itself contain `=`).
 * @throws UsageError for a pair without a name or without `=`
 */
export function signalsFlag(pairs: readonly string[] | undefined): Record<string, string> | undefined {
  if (!pairs) return undefined;
  const result: Record<string, string> = {};
  for (const pair of pairs) {
    const [name, value] = pair.split(/=(.*)/s, 2);
    if (!name || value === undefined) throw new UsageError(`--signal takes name=value, got "${pair}"`);
    result[name] = value;
  }
  return result;
}
