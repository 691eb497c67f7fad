import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AgentAdmission } from '../domain/agents/agent-admission';
import type { StepUpConfig } from '../domain/config/config';
import type { IdempotentCreateDeps } from '../domain/requests/idempotent-create';
import type { ApprovalPolicy } from '../ports/approval-policy';
import type { PagingReadiness } from '../ports/paging-readiness';
import { ownerNotices } from './aws/owner-notices';
import { SlackSecretStatus } from './aws/slack-secret-status';
import { idempotencyStore, tableHistory } from './aws/table-clients';
import { stateMachineWorkflow } from './aws/workflow-clients';
import { ENV, requireEnv } from './env';
import { envAdmission } from './env-admission';
import { envConfig } from './env-config';
import { JoseHumanVerifier } from './jose-human-verifier';
import { systemClock } from '../ports/clock';
import { SDK_CLIENT_OPTIONS } from './aws/sdk-client-options';

/** The create use case's ports in AWS, and what its routes check before it runs. */
export interface EnvCreateRequest extends IdempotentCreateDeps {
  readonly admission: AgentAdmission;
  readonly paging: PagingReadiness;
}

/**
 * The create use case's ports in AWS, from the environment: `POST /v1/requests` builds them in each
 * container, `POST /v1/token` only for its first deferred token request (DTR).
 * @param fn the calling function's name, for the Slack placeholder report
 * @param cedarPolicy the Cedar policy from the policy set `cdk synth` validated
 *   (`cedarPolicyFromCompiledSet`), passed in so this module does not load Cedar: the token function
 *   imports it only when a DTR needs it
 */
export function envCreateRequest(
  fn: string,
  cedarPolicy: (config: StepUpConfig, policySetPath: string) => ApprovalPolicy,
): EnvCreateRequest {
  const config = envConfig();
  const human = config.humanIdentity;
  const { store, history, limits } = tableHistory();
  return {
    store,
    history,
    gate: { limits, limitsConfig: config.limits },
    idempotency: idempotencyStore(),
    workflow: stateMachineWorkflow(),
    // Validated at synth, pre-parsed once per container, never per request.
    policy: cedarPolicy(config, requireEnv(ENV.policySet)),
    clock: systemClock,
    humanVerifier: human ? new JoseHumanVerifier({ ...human, keys: human.jwksUri }) : undefined,
    awsTargets: config.awsTargets,
    admission: envAdmission(config),
    owners: ownerNotices(fn, config.agents),
    paging: new SlackSecretStatus(
      new SecretsManagerClient({ ...SDK_CLIENT_OPTIONS }),
      requireEnv(ENV.slackSecretArn),
    ),
  };
}
