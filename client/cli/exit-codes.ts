/**
 * Exit codes of the `stepup` CLI. One rule for every command that talks to stepup:
 * 0 success (for `request --wait` / `wait`: approved, the token is on stdout), 1 any failure,
 * 2/3/4 the request's final outcome other than approval, 64 a usage mistake (EX_USAGE, sysexits.h),
 * 130 interrupted (Ctrl+C while waiting; the request stays pending).
 *
 * `stepup policy …` predates the agent commands and keeps exit 2 for its usage mistakes; it never
 * decides a request, so its 2 cannot be confused with "denied".
 */
export const EXIT = {
  ok: 0,
  error: 1,
  denied: 2,
  expired: 3,
  cancelled: 4,
  usage: 64,
  interrupted: 130,
} as const;

/** Exit code for usage mistakes of `stepup policy` (kept for compatibility). */
export const POLICY_USAGE_EXIT = 2;
