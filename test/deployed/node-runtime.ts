import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The Node.js major version of the functions' runtime (`nodejs22.x`). */
export const LAMBDA_NODE_MAJOR = 22;

/** Where the resolved binary path is remembered between runs (npx keeps the binary in its cache). */
const CACHE_FILE = join(tmpdir(), `stepup-node${LAMBDA_NODE_MAJOR}-path.txt`);

/** The Node.js binary the Lambda hosts run on. */
export interface NodeRuntime {
  readonly execPath: string;
  readonly version: string;
  /** False when the Lambda runtime's major version could not be had and the running Node stands in. */
  readonly matchesLambda: boolean;
}

async function versionOf(execPath: string): Promise<string> {
  const { stdout } = await promisify(execFile)(execPath, ['-p', 'process.version']);
  return stdout.trim();
}

/**
 * Node 22 like the functions' `nodejs22.x` runtime: the registry's `node@22` package through npx (its
 * path cached in the temp directory), else the running Node with a printed note.
 */
export async function lambdaNodeRuntime(log: (line: string) => void = console.log): Promise<NodeRuntime> {
  const wanted = `v${LAMBDA_NODE_MAJOR}.`;
  if (process.version.startsWith(wanted)) {
    return { execPath: process.execPath, version: process.version, matchesLambda: true };
  }
  if (existsSync(CACHE_FILE)) {
    const cached = readFileSync(CACHE_FILE, 'utf8').trim();
    if (existsSync(cached)) {
      const version = await versionOf(cached).catch(() => '');
      if (version.startsWith(wanted)) return { execPath: cached, version, matchesLambda: true };
    }
  }
  log(`Lambda hosts: fetching Node ${LAMBDA_NODE_MAJOR} (npx node@${LAMBDA_NODE_MAJOR})…`);
  try {
    const { stdout } = await promisify(execFile)(
      'npx',
      ['-y', `node@${LAMBDA_NODE_MAJOR}`, '-e', 'console.log(process.execPath)'],
      { cwd: tmpdir() },
    );
    const execPath = stdout.trim().split('\n').pop() ?? '';
    const version = await versionOf(execPath);
    if (!version.startsWith(wanted)) throw new Error(`npx node@${LAMBDA_NODE_MAJOR} gave ${version}`);
    writeFileSync(CACHE_FILE, execPath);
    return { execPath, version, matchesLambda: true };
  } catch (error) {
    log(
      `Lambda hosts: Node ${LAMBDA_NODE_MAJOR} unavailable (${(error as Error).message.split('\n')[0]}); ` +
        `running the functions on this Node ${process.version} instead`,
    );
    return { execPath: process.execPath, version: process.version, matchesLambda: false };
  }
}
