import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { definitionFromTemplate } from '../cdk/template';
import { testConfig } from './support';

describe('the local runtime executes the state machine CDK synthesizes', () => {
  let runtime: LocalRuntime;

  beforeAll(async () => {
    // No definition passed: the runtime synthesizes it from the CDK app, as `npm start` does.
    runtime = await startLocalRuntime({ memory: true, port: 0, config: testConfig(), env: {} });
  });
  afterAll(() => runtime.stop());

  it('runs the template definition, with only Lambda ARNs resolved to local placeholders', () => {
    // definitionFromTemplate resolves the CloudFormation template independently of the runtime's code.
    expect(runtime.workflow.definition).toEqual(definitionFromTemplate());
  });
});
