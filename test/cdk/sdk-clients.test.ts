import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { HANDLER_FILES, type StepUpFunctionName } from '../../lib/handlers';
import { esbuildBuildOptions, handlerBundling } from '../../lib/step-up-function';
import { logicalIdOf, synthesized } from './template';

/** The IAM service prefix each AWS SDK client calls. */
const SERVICE_OF_CLIENT: Record<string, string> = {
  'client-dynamodb': 'dynamodb',
  'client-kms': 'kms',
  'client-sfn': 'states',
  'client-secrets-manager': 'secretsmanager',
  'client-sts': 'sts',
  'client-eventbridge': 'events',
};

const scratch = mkdtempSync(join(tmpdir(), 'stepup-sdk-clients-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The `@aws-sdk/client-*` packages a handler's deployed bundle requires at load time. */
function requiredClients(handlerFile: string): string[] {
  const outdir = join(scratch, handlerFile);
  buildSync(esbuildBuildOptions(handlerFile, handlerBundling(handlerFile), outdir));
  const code = readFileSync(join(outdir, 'index.js'), 'utf8');
  return [...new Set([...code.matchAll(/require\("@aws-sdk\/(client-[a-z-]+)"\)/g)].map((m) => m[1]!))];
}

/** The IAM service prefixes of every action the function's role is allowed. */
function grantedServices(name: StepUpFunctionName): Set<string> {
  const { stack, template } = synthesized();
  const role = logicalIdOf(stack.approval.functions[name].role!);
  const services = new Set<string>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    if (!(policy.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role)) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]) {
      for (const action of [statement.Action].flat()) services.add(action.split(':')[0]!);
    }
  }
  return services;
}

describe('each bundle loads only the AWS SDK clients its function may use', () => {
  for (const [name, handlerFile] of Object.entries(HANDLER_FILES) as [StepUpFunctionName, string][]) {
    it(`${name}: every required client is one its role has a grant for`, () => {
      const granted = grantedServices(name);
      const clients = requiredClients(handlerFile);
      for (const client of clients) {
        expect(SERVICE_OF_CLIENT[client], `unknown client ${client}`).toBeDefined();
        expect([...granted], `${name} requires @aws-sdk/${client}`).toContain(SERVICE_OF_CLIENT[client]);
      }
    });
  }
});
