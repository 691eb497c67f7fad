import { resolve } from 'node:path';
import type { StepUpConfig } from '../../domain/config/config';
import { approvalPolicy } from '../../domain/policy/policy-decision';
import type { ApprovalPolicy } from '../../ports/approval-policy';
import { CedarPolicyEvaluator } from './cedar-policy-evaluator';
import { loadPolicySet } from './policy-set-loader';

/** The policy directory: `STEPUP_POLICIES`, else `policies` in the working directory. */
export function policiesPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.STEPUP_POLICIES ?? 'policies');
}

/**
 * The approval policy of the Cedar policies in the directory, validated and pre-parsed: call once per process or container.
 * @throws PolicyValidationError naming file and line of every problem
 */
export function cedarPolicyFromDirectory(config: StepUpConfig, dir: string = policiesPath()): ApprovalPolicy {
  return approvalPolicy(new CedarPolicyEvaluator(loadPolicySet(dir, config)), config);
}
