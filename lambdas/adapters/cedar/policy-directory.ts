import { resolve } from 'node:path';
import type { StepUpConfig } from '../../domain/config';
import { CedarApprovalPolicy } from './cedar-approval-policy';
import { loadPolicySet } from './policy-set-loader';

/** The policy directory: `STEPUP_POLICIES`, else `policies` in the working directory. */
export function policiesPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.STEPUP_POLICIES ?? 'policies');
}

/**
 * The Cedar policy for the directory, validated and pre-parsed: call once per process or container.
 * @throws PolicyValidationError naming file and line of every problem
 */
export function cedarPolicyFromDirectory(
  config: StepUpConfig,
  dir: string = policiesPath(),
): CedarApprovalPolicy {
  return new CedarApprovalPolicy(loadPolicySet(dir, config), config);
}
