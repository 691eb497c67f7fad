import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HANDLER_FILES, type StepUpFunctionName } from '../../lib/handlers';
import { logicalIdOf, synthesized } from './template';
import { buildHandlerBundle } from './handler-bundle';

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

/** A bundled file of an `@aws-sdk/client-*` package (the SDK is bundled, see `HOUSE_BUNDLING`). */
const CLIENT_SOURCE = /(?:^|\/)node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//;

/** The `@aws-sdk/client-*` packages in a handler's deployed bundle (its esbuild metafile's inputs). */
function bundledClients(handlerFile: string): string[] {
  const outdir = join(scratch, handlerFile);
  const metafile = buildHandlerBundle(handlerFile, outdir);
  const clients = Object.values(metafile.outputs).flatMap((output) =>
    Object.keys(output.inputs).map((input) => CLIENT_SOURCE.exec(input)?.[1]),
  );
  return [...new Set(clients.filter((client) => client !== undefined))];
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
  it('sees the clients a bundle holds (the table client in the expiry step)', () => {
    expect(bundledClients(HANDLER_FILES.expireRequest)).toEqual(['client-dynamodb']);
  });

  for (const [name, handlerFile] of Object.entries(HANDLER_FILES) as [StepUpFunctionName, string][]) {
    it(`${name}: every bundled client is one its role has a grant for`, () => {
      const granted = grantedServices(name);
      const clients = bundledClients(handlerFile);
      for (const client of clients) {
        expect(SERVICE_OF_CLIENT[client], `unknown client ${client}`).toBeDefined();
        expect([...granted], `${name} bundles @aws-sdk/${client}`).toContain(SERVICE_OF_CLIENT[client]);
      }
    });
  }
});
