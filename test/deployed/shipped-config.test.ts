import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfigFile } from '../../lambdas/adapters/config-file';
import { serializeConfig } from '../../lambdas/domain/config/config';
import { PROJECT_ROOT } from './cloud-assembly';
import { deploy, type Deployment } from './deployment';
import { LambdaInvokeError } from './lambda-host';

// The scenarios deploy the sample config with an operator added (the kill switch needs one). This
// file runs every config-reading bundle with the shipped sample exactly as `setConfig` serialises it
// into STEPUP_CONFIG_JSON, so a config that synthesizes but does not parse back (as `"operators": []`
// once did, crashing every such function at start-up) fails here.

let deployment: Deployment;

beforeAll(async () => {
  const shipped = serializeConfig(loadConfigFile(join(PROJECT_ROOT, 'stepup.config.json')));
  deployment = await deploy(inject('deployed'), { configJson: shipped });
});

afterAll(async () => {
  await deployment?.stop();
});

describe('the shipped stepup.config.json', () => {
  it('starts every bundle that reads the config', async () => {
    const readers = deployment.aws.account
      .functions()
      .filter((fn) => deployment.aws.account.functionEnvironment(fn.logicalId).STEPUP_CONFIG_JSON);
    expect(readers.length).toBeGreaterThan(3);
    for (const fn of readers) {
      // Any event will do: the config is parsed while the function initialises, before the event is read.
      const failure = await deployment.lambdas.invoke(fn.functionName, { request_id: 'probe' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (failure instanceof LambdaInvokeError) {
        expect(failure.errorMessage, fn.logicalId).not.toMatch(/stepup config|STEPUP_CONFIG_JSON/);
      }
      expect(deployment.lambdas.logOf(fn.functionName), fn.logicalId).not.toContain('invalid_config');
    }
  });
});
