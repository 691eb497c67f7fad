/** Where the AuthZEN routes are, relative to the API base URL. Declared once: routes and metadata use them. */
export const AUTHZEN_PATHS = {
  evaluation: '/access/v1/evaluation',
  evaluations: '/access/v1/evaluations',
  configuration: '/.well-known/authzen-configuration',
} as const;

/**
 * OpenID AuthZEN PDP metadata (Authorization API 1.0, §10) for the API at `issuer`: stepup is the
 * policy decision point, with the single and the batch evaluation endpoints.
 */
export function authzenConfiguration(issuer: string): Record<string, string> {
  return {
    policy_decision_point: issuer,
    access_evaluation_endpoint: `${issuer}${AUTHZEN_PATHS.evaluation}`,
    access_evaluations_endpoint: `${issuer}${AUTHZEN_PATHS.evaluations}`,
  };
}
