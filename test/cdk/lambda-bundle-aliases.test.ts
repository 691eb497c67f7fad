/**
 * Every function's bundle leaves out what no Lambda path runs (`lib/lambda-bundle-aliases.ts`): the AWS
 * SDK's credential providers other than the environment's, and `semver`; the MCP server's bundle
 * leaves out `ajv` (`lib/mcp-bundling.ts`). Each bundle is built exactly
 * as the construct builds it and its esbuild metafile is read; the alias modules themselves are run.
 * That the bundles still sign their calls with the environment's credentials is shown by the
 * deployed-bundle suite (its stand-ins check SigV4).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultProvider } from '../../lambdas/adapters/aws/bundle-aliases/environment-credentials';
import { gte } from '../../lambdas/adapters/aws/bundle-aliases/semver';
import { BUNDLE_STUB_ERROR_CODE } from '../../lambdas/adapters/bundle-stubs/unavailable';
import { NO_ELICITATION } from '../../client/mcp/no-elicitation';
import { HANDLER_FILES } from '../../lib/handlers';
import { LAMBDA_BUNDLE_ALIASES, LAMBDA_BUNDLE_ALIASES_DIR } from '../../lib/lambda-bundle-aliases';
import { MCP_BUNDLE_STUBS, MCP_BUNDLE_STUBS_DIR, MCP_HANDLER } from '../../lib/mcp-bundling';
import { PROJECT_ROOT } from '../../lib/step-up-function';
import { buildHandlerBundle } from './handler-bundle';

/** Packages only the replaced ones load: none may reach a bundle by another path either. */
const LEFT_OUT = [
  ...Object.keys(LAMBDA_BUNDLE_ALIASES),
  '@aws-sdk/nested-clients',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/token-providers',
  '@smithy/credential-provider-imds',
];

const scratch = mkdtempSync(join(tmpdir(), 'stepup-bundle-aliases-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The input files of a handler's deployed bundle. */
function bundledInputs(handlerFile: string): string[] {
  return Object.keys(buildHandlerBundle(handlerFile, join(scratch, handlerFile)).inputs);
}

describe('every bundle leaves out what Lambda never runs', () => {
  for (const [name, handlerFile] of Object.entries(HANDLER_FILES)) {
    it(name, () => {
      const inputs = bundledInputs(handlerFile);
      for (const pkg of LEFT_OUT) {
        expect(inputs.filter((input) => input.includes(`node_modules/${pkg}/`))).toEqual([]);
      }
      // The alias is in use wherever the X-Ray SDK (which loads `semver`) is: every traced function.
      if (inputs.some((input) => input.includes('node_modules/aws-xray-sdk-core/'))) {
        expect(inputs).toContain(`${LAMBDA_BUNDLE_ALIASES_DIR}/${LAMBDA_BUNDLE_ALIASES.semver}`);
      }
    });
  }

  it('the table functions get the environment credential provider', () => {
    expect(bundledInputs(HANDLER_FILES.getRequest)).toContain(
      `${LAMBDA_BUNDLE_ALIASES_DIR}/${LAMBDA_BUNDLE_ALIASES['@aws-sdk/credential-provider-node']}`,
    );
  });
});

describe('the environment credential provider', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('answers the credentials Lambda puts in the environment', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'session';

    await expect(defaultProvider()()).resolves.toMatchObject({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'session',
    });
  });

  it('fails with the SDK error, naming the environment, when there are none', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;

    await expect(defaultProvider()()).rejects.toMatchObject({
      name: 'CredentialsProviderError',
      message: expect.stringContaining('environment variable'),
    });
  });
});

describe('the semver stub', () => {
  it('throws a clear error if ever called', () => {
    expect(() => gte('3.0.0', '2.0.0')).toThrow(expect.objectContaining({ code: BUNDLE_STUB_ERROR_CODE }));
    expect(() => gte()).toThrow(/semver \(gte\).*lib\/lambda-bundle-aliases\.ts/);
  });
});

describe("the MCP server's bundle", () => {
  it('leaves out ajv, which the SDK calls only for elicitation answers', () => {
    const inputs = bundledInputs(MCP_HANDLER);
    for (const pkg of [...Object.keys(MCP_BUNDLE_STUBS), 'fast-uri', 'json-schema-traverse']) {
      expect(inputs.filter((input) => input.includes(`node_modules/${pkg}/`))).toEqual([]);
    }
    for (const file of Object.values(MCP_BUNDLE_STUBS))
      expect(inputs).toContain(`${MCP_BUNDLE_STUBS_DIR}/${file}`);
  });

  it.each(Object.entries(MCP_BUNDLE_STUBS))('%s throws a clear error if ever called', async (pkg, file) => {
    const stub = (await import(join(PROJECT_ROOT, MCP_BUNDLE_STUBS_DIR, file))) as { default: () => unknown };
    expect(() => stub.default()).toThrow(expect.objectContaining({ code: BUNDLE_STUB_ERROR_CODE }));
    expect(() => stub.default()).toThrow(pkg);
  });

  it('gives the SDK a validator that refuses, as the server never elicits', () => {
    expect(() => NO_ELICITATION.getValidator({ type: 'object' })).toThrow(/never elicits/);
  });
});
