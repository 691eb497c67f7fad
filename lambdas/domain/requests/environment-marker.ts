/**
 * The environment a resource names, for approvers: the first of its words (the runs of letters and
 * digits in `prod/orders`, `arn:aws:rds:eu-west-1:123:db:orders-production`, `orders.staging`)
 * that is a known environment name, the riskiest first. One rule, shown as a marker in the header
 * of the approval message; policies keep their own `resource.environment` (the first path segment).
 */
export type EnvironmentMarker = 'PROD' | 'STAGING' | 'DEV';

/** Environment names by marker, riskiest first: a resource naming both prod and dev is PROD. */
export const ENVIRONMENT_NAMES: readonly (readonly [EnvironmentMarker, readonly string[]])[] = [
  ['PROD', ['prod', 'production', 'prd', 'live']],
  ['STAGING', ['staging', 'stage', 'stg']],
  ['DEV', ['dev', 'development', 'sandbox']],
];

/** The marker of the environment `resource` names, or undefined when it names none. */
export function environmentMarker(resource: string): EnvironmentMarker | undefined {
  const words = new Set(resource.toLowerCase().split(/[^a-z0-9]+/));
  return ENVIRONMENT_NAMES.find(([, names]) => names.some((name) => words.has(name)))?.[0];
}
