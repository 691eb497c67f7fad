import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig, type StepUpConfig } from '../domain/config/config';
import { StepUpError } from '../domain/errors';

/** The config path: `STEPUP_CONFIG`, else `stepup.config.json` in the working directory. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.STEPUP_CONFIG ?? 'stepup.config.json');
}

/**
 * Reads and validates the config file.
 * @throws StepUpError `invalid_config` naming the file and the problem.
 */
export function loadConfigFile(path: string = configPath()): StepUpConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new StepUpError(
      'invalid_config',
      `stepup config: cannot read ${path} (set STEPUP_CONFIG to its path)`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StepUpError(
      'invalid_config',
      `stepup config: ${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
  try {
    return parseConfig(raw);
  } catch (error) {
    if (error instanceof StepUpError) throw new StepUpError('invalid_config', `${path}: ${error.message}`);
    throw error;
  }
}
