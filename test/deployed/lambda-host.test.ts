import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LambdaInvokeError, LambdaService } from './lambda-host';

// The host itself, with a probe bundle: the runtime it emulates, and the guards the scenarios rely on.
const deployed = inject('deployed');
// Outside the project, like the cloud assembly: walking up from here finds no node_modules.
const taskRoot = mkdtempSync(join(tmpdir(), 'stepup-probe-'));
cpSync(join(__dirname, 'fixtures', 'probe-function'), taskRoot, { recursive: true });
const service = new LambdaService(
  [
    {
      definition: {
        logicalId: 'Probe',
        functionName: 'StepUp-Probe-0123456789AB',
        functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:StepUp-Probe-0123456789AB',
        roleLogicalId: 'ProbeRole',
        roleArn: 'arn:aws:iam::111122223333:role/ProbeRole',
        handler: 'index.handler',
        runtime: 'nodejs22.x',
        timeout: 10,
        memorySize: 256,
        assetPath: 'probe-function',
      },
      taskRoot,
      environment: { FROM_TEMPLATE: 'yes' },
      credentials: {
        accessKeyId: 'ASIAPROBE',
        secretAccessKey: 'probe',
        sessionToken: 'probe',
        roleArn: 'arn:aws:iam::111122223333:role/ProbeRole',
        assumedRoleArn: 'arn:aws:sts::111122223333:assumed-role/ProbeRole/StepUp-Probe-0123456789AB',
        roleLogicalId: 'ProbeRole',
      },
    },
  ],
  {
    nodeExecPath: deployed.nodeExecPath,
    sdkNodePath: deployed.sdkNodePath,
    region: 'eu-west-1',
    endpoints: {},
  },
);

afterAll(() => {
  service.stop();
  rmSync(taskRoot, { recursive: true, force: true });
});

describe('the Lambda host', () => {
  it('runs a bundle on Node 22 with the template environment, what Lambda sets, and a Lambda context', async () => {
    const result = (await service.invoke('Probe', {})) as Record<string, Record<string, unknown>>;
    expect(result.node).toMatch(/^v22\./);
    expect(result.cwd).toBe(taskRoot);
    expect(result.env).toMatchObject({
      AWS_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'StepUp-Probe-0123456789AB',
      _HANDLER: 'index.handler',
      _X_AMZN_TRACE_ID: expect.stringMatching(/^Root=1-/),
      FROM_TEMPLATE: 'yes',
    });
    // Nothing of the test process leaks in.
    expect(result.env!.HOME).toBeUndefined();
    expect(result.context).toMatchObject({ functionName: 'StepUp-Probe-0123456789AB' });
    expect(result.context!.remaining).toBeGreaterThan(0);
    expect(service.logOf('Probe')).toContain('probe invoked');
  });

  it('resolves the AWS SDK as the runtime provides it, and nothing else from node_modules', async () => {
    const result = (await service.invoke('Probe', {})) as { resolves: Record<string, boolean> };
    expect(result.resolves).toEqual({ sdk: true, jose: false });
  });

  it("times each invocation as Lambda's REPORT Duration, the cold start's first apart", () => {
    // The two invocations above: the environment's first (after its Init), then a warm one.
    const probe = service.invocationTimes.filter(
      (entry) => entry.functionName === 'StepUp-Probe-0123456789AB',
    );
    expect(probe.slice(0, 2).map((entry) => entry.cold)).toEqual([true, false]);
    for (const entry of probe) expect(entry.ms).toBeGreaterThan(0);
    expect(service.logOf('Probe')).toMatch(/REPORT RequestId: \S+\tDuration: \d+\.\d\d ms/);
  });

  it('refuses and records a connection to anything but 127.0.0.1', async () => {
    const result = (await service.invoke('Probe', { outbound: 'https://slack.com/api/auth.test' })) as {
      outbound: string;
    };
    // Refused at the name lookup (or, for an address, at connect), at once rather than after a timeout.
    expect(['ENOTFOUND', 'ECONNREFUSED']).toContain(result.outbound);
    expect(service.refusedEgress).toEqual([
      expect.objectContaining({ functionName: 'StepUp-Probe-0123456789AB', host: 'slack.com' }),
    ]);
  });

  it('reports an unhandled error as a failed invocation and keeps the environment', async () => {
    await expect(service.invoke('Probe', { fail: true })).rejects.toBeInstanceOf(LambdaInvokeError);
    expect(service.logOf('Probe')).toContain('Invoke Error');
    await expect(service.invoke('Probe', {})).resolves.toMatchObject({ outbound: 'connected' });
    expect(service.coldStarts.get('StepUp-Probe-0123456789AB')).toBe(1);
  });
});
