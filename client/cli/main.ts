import { PolicyValidationError } from '../../lambdas/adapters/cedar/policy-set-loader';
import { StepUpError } from '../../lambdas/domain/errors';
import { UsageError } from './args';
import { policyCommand, POLICY_USAGE, type Output } from './policy-command';

const USAGE = `usage: stepup <command>

commands:
  policy check      validate the Cedar policy set
  policy explain    show what stepup decides for one request

${POLICY_USAGE}`;

/**
 * The `stepup` CLI.
 * @returns the process exit code: 0 ok, 1 failure (e.g. invalid policies), 2 usage error
 */
export function runCli(argv: readonly string[], output: Output): number {
  const [command, ...rest] = argv;
  try {
    if (command === 'policy') return policyCommand(rest, output);
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      output.out(USAGE);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`stepup: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof PolicyValidationError || error instanceof StepUpError) {
      output.err(`stepup: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
