import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { FakeAccount } from './aws/account';
import { DEPLOYED_ENV, readTemplate, synthesizeCloudAssembly } from './cloud-assembly';
import { lambdaNodeRuntime } from './node-runtime';
import { lambdaRuntimeSdk } from './runtime-sdk';

/** What the deployed-bundle tests receive from {@link setup} (`inject('deployed')`). */
export interface DeployedArtifacts {
  /** The cloud assembly directory (template and bundled assets). */
  readonly assemblyDir: string;
  /** Node binary for the Lambda hosts. */
  readonly nodeExecPath: string;
  /** `NODE_PATH` of the hosts: the Lambda runtime's SDK only. */
  readonly sdkNodePath: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    deployed: DeployedArtifacts;
  }
}

/**
 * Once per run of the deployed project: synthesize (or reuse) the cloud assembly, get Node 22 and
 * lay out the runtime SDK folder. Progress is printed, so a slow first run explains itself.
 */
export async function setup(project: TestProject): Promise<void> {
  const log = (line: string) => console.log(`[deployed] ${line}`);
  const started = Date.now();
  const [assemblyDir, node] = await Promise.all([synthesizeCloudAssembly(log), lambdaNodeRuntime(log)]);
  const account = FakeAccount.fromTemplate(readTemplate(assemblyDir), DEPLOYED_ENV);
  const sdkNodePath = lambdaRuntimeSdk(
    account.functions().map((fn) => join(assemblyDir, fn.assetPath)),
    log,
  );
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: functions run on Node ${node.version}`);
  project.provide('deployed', { assemblyDir, nodeExecPath: node.execPath, sdkNodePath });
}
