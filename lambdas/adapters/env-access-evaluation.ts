import type { EvaluateAccessDeps } from '../domain/policy/evaluate-access';
import { tableHistory } from './aws/table-clients';
import { cedarPolicyFromCompiledSet } from './cedar/compiled-policy-set';
import { ENV, requireEnv } from './env';
import { envAdmission } from './env-admission';
import { envConfig } from './env-config';
import { JoseHumanVerifier } from './jose-human-verifier';

/**
 * What the AuthZEN evaluation functions decide with in AWS: the policy set validated at synth and
 * bundled beside them, the config's human identity provider, AWS targets and admission, exactly as
 * the request function has them.
 */
export function envAccessEvaluation(): EvaluateAccessDeps {
  const config = envConfig();
  const human = config.humanIdentity;
  return {
    policy: cedarPolicyFromCompiledSet(config, requireEnv(ENV.policySet)),
    humanVerifier: human ? new JoseHumanVerifier({ ...human, keys: human.jwksUri }) : undefined,
    awsTargets: config.awsTargets,
    history: tableHistory().history,
    admission: envAdmission(config),
    requestEndpoint: `${requireEnv(ENV.tokenIssuer)}/v1/requests`,
  };
}
