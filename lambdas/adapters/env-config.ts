import { parseConfig, type StepUpConfig } from '../domain/config/config';
import { ENV, requireEnv } from './env';

/** The config the construct serialised into `STEPUP_CONFIG_JSON` (`serializeConfig`), parsed again. */
export function envConfig(): StepUpConfig {
  return parseConfig(JSON.parse(requireEnv(ENV.config)));
}
