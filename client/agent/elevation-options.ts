/**
 * One action the policy schema declares, as `GET /v1/elevation-options` lists it. With a resource
 * asked about: `decision` (what `POST /v1/requests` would decide for this agent) and its details, or
 * `error` when the action cannot be asked for on that resource.
 */
export interface ActionOption {
  readonly action: string;
  readonly decision?: 'auto_approve' | 'step_up' | 'deny';
  readonly policies?: readonly string[];
  /** Step-up: an approver must be in one group of every set. */
  readonly approver_groups?: readonly (readonly string[])[];
  readonly quorum?: number;
  readonly approval_timeout_seconds?: number;
  readonly escalate_to?: string | null;
  readonly max_token_ttl_seconds?: number;
  /** Deny: why. */
  readonly reason?: string;
  readonly error?: string;
  readonly error_description?: string;
}

/** An audience the stepup config knows (today: the AWS targets). */
export interface AudienceOption {
  readonly audience: string;
  readonly kind: 'aws';
  /** IAM actions it allows (prefixes end in `*`); absent: any. */
  readonly actions?: readonly string[];
}

/** What this agent can ask for (`GET /v1/elevation-options`). */
export interface ElevationOptions {
  readonly agent: string;
  readonly resource?: string;
  readonly audience?: string;
  readonly actions: readonly ActionOption[];
  readonly audiences: readonly AudienceOption[];
}

/** The answer as {@link ElevationOptions}, or undefined when it is not shaped like one. */
export function parseElevationOptions(body: Record<string, unknown>): ElevationOptions | undefined {
  const { agent, actions, audiences } = body;
  if (typeof agent !== 'string' || !Array.isArray(actions) || !Array.isArray(audiences)) return undefined;
  const named = (list: unknown[], key: string) =>
    list.every((item) => typeof (item as Record<string, unknown> | null)?.[key] === 'string');
  if (!named(actions, 'action') || !named(audiences, 'audience')) return undefined;
  return body as unknown as ElevationOptions;
}
