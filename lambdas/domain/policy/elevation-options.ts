import { askPolicy, type CreateRequestDeps } from '../requests/create-request';
import { decisionView, type DecisionView } from '../votes/decision-view';
import { StepUpError } from '../errors';

/** What an agent may ask about: optionally the resource (and audience) it means to act on. */
export interface ElevationOptionsQuestion {
  readonly resource?: string;
  readonly audience?: string;
}

/**
 * One action the policy schema declares. With a resource asked about, also what `POST /v1/requests`
 * would decide for this agent (the fields of {@link DecisionView}: auto-approve, step-up with whom and
 * how many, or deny with the policies), or why it could not be decided (`error`).
 */
export type ActionOption = { readonly action: string } & (
  Partial<DecisionView> | { readonly error: string; readonly error_description: string }
);

/** An audience (resource server) the config knows. */
export interface AudienceOption {
  readonly audience: string;
  /** `aws`: its tokens are exchanged for AWS credentials (config `awsTargets`). */
  readonly kind: 'aws';
  /** The IAM actions a request for it may name (exact, or prefixes ending in `*`); absent: any. */
  readonly actions?: readonly string[];
}

/** The answer of `GET /v1/elevation-options`. */
export interface ElevationOptions {
  readonly agent: string;
  readonly resource?: string;
  readonly audience?: string;
  readonly actions: readonly ActionOption[];
  readonly audiences: readonly AudienceOption[];
}

/**
 * What an agent can ask for: every action the policy schema declares and, for `question.resource`,
 * what the policy would decide for this agent, asked exactly as `createRequest` asks it (`askPolicy`:
 * no human asserted, no signals). Plus the audiences the config knows. Nothing is stored or paged.
 */
export async function listElevationOptions(
  deps: Pick<CreateRequestDeps, 'policy' | 'awsTargets'>,
  agent: string,
  question: ElevationOptionsQuestion,
): Promise<ElevationOptions> {
  const { resource, audience } = question;
  const actions: ActionOption[] = [];
  for (const action of deps.policy.actions) {
    if (resource === undefined) {
      actions.push({ action });
      continue;
    }
    try {
      const { decision } = await askPolicy(deps, agent, {
        action,
        resource,
        audience: audience ?? '',
        signals: {},
      });
      actions.push({ action, ...decisionView(decision) });
    } catch (error) {
      // This action cannot be asked for on this resource (e.g. not an IAM action for an AWS audience).
      if (!(error instanceof StepUpError)) throw error;
      actions.push({ action, error: error.code, error_description: error.message });
    }
  }
  const audiences = Object.entries(deps.awsTargets ?? {}).map(([name, target]): AudienceOption => ({
    audience: name,
    kind: 'aws',
    ...(target.actions ? { actions: target.actions } : {}),
  }));
  return {
    agent,
    ...(resource !== undefined ? { resource } : {}),
    ...(audience !== undefined ? { audience } : {}),
    actions,
    audiences,
  };
}
