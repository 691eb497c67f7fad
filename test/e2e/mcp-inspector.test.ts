import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { lambdaNodeRuntime } from '../deployed/node-runtime';
import { startTestRuntime } from '../integration/support';

const AGENT = 'inspector-bot';

/** The inspector's launcher, from the pinned devDependency (its `mcp-inspector` bin). */
function inspectorBin(): string {
  const manifest = createRequire(import.meta.url).resolve('@modelcontextprotocol/inspector/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(manifest), bin['mcp-inspector']!);
}

/** What one `mcp-inspector --cli` run printed, and how it ended. */
interface InspectorRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `@modelcontextprotocol/inspector` in CLI mode, a client this project did not write, against both
 * transports of stepup's MCP server: `stepup mcp` on stdio and `POST /mcp` with the agent's workload
 * JWT as bearer. The inspector (2.x) needs Node ≥ 22.19, so it runs on the Node 22 the deployed-bundle
 * suite uses (`npx node@22`), whatever runs the tests.
 */
describe('the MCP Inspector CLI against stdio (stepup mcp) and remote MCP (/mcp)', () => {
  let runtime: LocalRuntime;
  let token: string;
  let node22: string;
  const bin = inspectorBin();

  /** Runs the inspector CLI with `args`; resolves however it exits. */
  async function inspector(args: readonly string[]): Promise<InspectorRun> {
    try {
      const { stdout, stderr } = await promisify(execFile)(node22, [bin, '--cli', ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  /** The inspector against `stepup mcp` on stdio (the CLI under this Node, through tsx). */
  const overStdio = (args: readonly string[]) =>
    inspector([
      '-e',
      `STEPUP_URL=${runtime.url}`,
      '-e',
      `STEPUP_TOKEN=${token}`,
      '--cwd',
      process.cwd(),
      '--transport',
      'stdio',
      ...args,
      '--',
      process.execPath,
      'bin/stepup.cjs',
      'mcp',
    ]);

  /** The inspector against the remote endpoint, with `bearer` (unless null) in the Authorization header. */
  const overHttp = (args: readonly string[], bearer: string | null) =>
    inspector([
      `${runtime.url}/mcp`,
      '--transport',
      'http',
      ...(bearer === null ? [] : ['--header', `Authorization: Bearer ${bearer}`]),
      ...args,
    ]);

  beforeAll(async () => {
    const node = await lambdaNodeRuntime();
    expect(node.matchesLambda, `the inspector needs Node 22 (got ${node.version})`).toBe(true);
    node22 = node.execPath;
    runtime = await startTestRuntime();
    token = await runtime.devToken(AGENT);
  });

  afterAll(async () => {
    await runtime?.stop();
  });

  const TOOLS = ['check_elevation', 'get_aws_credentials', 'list_elevation_options', 'request_elevation'];
  const LIST_OPTIONS = ['--method', 'tools/call', '--tool-name', 'list_elevation_options'];

  for (const [transport, run] of [
    ['stdio', (args: readonly string[]) => overStdio(args)],
    ['Streamable HTTP with the bearer header', (args: readonly string[]) => overHttp(args, token)],
  ] as const) {
    describe(transport, () => {
      it('lists the four tools, each with an outputSchema', async () => {
        const listed = await run(['--method', 'tools/list']);
        expect(listed.code, listed.stderr).toBe(0);
        const { tools } = JSON.parse(listed.stdout) as {
          tools: { name: string; outputSchema?: unknown }[];
        };
        expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
        for (const tool of tools) expect(tool.outputSchema, tool.name).toBeDefined();
      });

      it('calls list_elevation_options as the agent', async () => {
        const called = await run([...LIST_OPTIONS, '--tool-arg', 'resource=prod/orders']);
        expect(called.code, called.stderr).toBe(0);
        const answer = JSON.parse(called.stdout) as { isError?: boolean; structuredContent?: unknown };
        expect(answer.isError ?? false).toBe(false);
        expect(answer.structuredContent).toMatchObject({ status: 'listed', agent: AGENT });
      });
    });
  }

  it('without the header, or with a bearer that is not a workload token, gets no tools from /mcp (the 401)', async () => {
    for (const bearer of [null, 'not-a-jwt']) {
      const refused = await overHttp(['--method', 'tools/list'], bearer);
      // The 401 sends it to OAuth discovery, which a non-interactive run does not attempt.
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('auth_required');
      expect(refused.stdout).not.toContain('request_elevation');
    }
  });
});
