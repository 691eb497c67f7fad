/**
 * The environment variables the construct sets (`lib/grants.ts`, each with the permission it needs)
 * and the handlers read, declared once for both sides.
 */
export const ENV = {
  /** The approval table (`grantTable`). */
  tableName: 'TABLE_NAME',
  /** The KMS key that signs (`grantSigningKey`). */
  signingKeyId: 'SIGNING_KEY_ID',
  /** Comma-separated keys that no longer sign but stay in the JWKS (`grantSigningKey`). */
  retiredSigningKeyIds: 'RETIRED_SIGNING_KEY_IDS',
  /** The Slack secret (`grantSlackSecret`, `grantSlackSecretStatus`). */
  slackSecretArn: 'SLACK_SECRET_ARN',
  /** The approval workflow (`grantStartWorkflow`, `grantStopWorkflow`). */
  stateMachineArn: 'STATE_MACHINE_ARN',
  /** The `iss` of issued tokens (`setTokenIssuer`). */
  tokenIssuer: 'TOKEN_ISSUER',
  /** The validated config, serialised (`setConfig`). */
  config: 'STEPUP_CONFIG_JSON',
  /** The bus audit events are exported to (`lib/audit-export.ts`, with `events:PutEvents` on it). */
  eventBusName: 'EVENT_BUS_NAME',
  /**
   * The URL people reach stepup at (`setPublicUrl`): approval page links and the WebAuthn relying
   * party (its host is the RP ID, its origin the only accepted origin). Locally also the tunnel
   * real Slack posts clicks through.
   */
  publicUrl: 'STEPUP_PUBLIC_URL',
  /** The compiled policy set's file beside the bundle (`setPolicies`). */
  policySet: 'STEPUP_POLICY_SET',
} as const;

/**
 * Reads a required environment variable once, at init.
 * @throws Error naming the variable, so a misconfigured function fails loudly on its first invocation
 * @example requireEnv(ENV.tableName)
 */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
