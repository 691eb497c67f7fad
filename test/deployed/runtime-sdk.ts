import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from './cloud-assembly';

/** `require("@aws-sdk/…")` as esbuild leaves an external import in a minified CommonJS bundle. */
const SDK_REQUIRE = /require\("(@aws-sdk\/[a-z0-9-]+)"\)/g;

/**
 * A require the bundled SDK makes inside `try`, only to sign with SigV4a (multi-region S3 access
 * points, which stepup never calls): neither the Lambda runtime nor this project has the package.
 */
const OPTIONAL_SDK_REQUIRES = new Set(['@aws-sdk/signature-v4-crt']);

/** The `@aws-sdk/*` packages the bundles in `assetDirs` import (externals the Lambda runtime provides). */
export function sdkImports(assetDirs: readonly string[]): string[] {
  const names = new Set<string>();
  for (const dir of assetDirs) {
    const bundle = join(dir, 'index.js');
    if (!existsSync(bundle)) continue;
    for (const match of readFileSync(bundle, 'utf8').matchAll(SDK_REQUIRE)) {
      if (!OPTIONAL_SDK_REQUIRES.has(match[1]!)) names.add(match[1]!);
    }
  }
  return [...names].sort();
}

interface PackageJson {
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

/** The directory of package `name` as Node would resolve it from `fromDir` (walking up node_modules). */
function packageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === PROJECT_ROOT || dirname(dir) === dir) return undefined;
  }
}

/**
 * The top-level `node_modules` packages needed to load `roots`: each root and, transitively, its
 * dependencies (a package nested in another's own node_modules comes along with it).
 */
function closure(roots: readonly string[]): string[] {
  const topLevel = join(PROJECT_ROOT, 'node_modules');
  const seen = new Set<string>();
  const pending = roots.map((name) => ({ name, from: PROJECT_ROOT }));
  while (pending.length > 0) {
    const { name, from } = pending.pop()!;
    const dir = packageDir(name, from);
    if (!dir) {
      if (roots.includes(name)) throw new Error(`runtime SDK: ${name} is not installed (npm ci)`);
      continue; // an optional or peer dependency that is not installed
    }
    if (seen.has(dir)) continue;
    seen.add(dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
    const deps = { ...manifest.optionalDependencies, ...manifest.dependencies };
    for (const dep of Object.keys(deps)) pending.push({ name: dep, from: dir });
  }
  return [...seen].filter((dir) => dirname(dir) === topLevel || dirname(dirname(dir)) === topLevel).sort();
}

/** The `@aws-sdk/*` packages the project depends on (the runtime ships these clients, and more). */
function projectSdkDependencies(): string[] {
  const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as PackageJson;
  return Object.keys(manifest.dependencies ?? {}).filter((name) => name.startsWith('@aws-sdk/'));
}

/**
 * A folder like the Lambda Node.js runtime's own SDK: the `@aws-sdk/*` packages the project depends
 * on and any other the bundles import, with their dependencies (`@smithy/*`, `@aws-crypto/*`,
 * `tslib`, …), copied from the project's node_modules into the temp directory, for the hosts'
 * `NODE_PATH`. The bundles carry their own SDK (lib/step-up-function.ts), so what they import from it
 * is normally nothing; a bundle that needs anything else from node_modules fails to load, as it
 * would on Lambda.
 * @returns the `node_modules` directory to put on `NODE_PATH`
 */
export function lambdaRuntimeSdk(
  assetDirs: readonly string[],
  log: (line: string) => void = console.log,
): string {
  const roots = [...new Set([...projectSdkDependencies(), ...sdkImports(assetDirs)])].sort();
  const packages = closure(roots);
  const key = createHash('sha256')
    .update(readFileSync(join(PROJECT_ROOT, 'package-lock.json')))
    .update(packages.join('\n'))
    .digest('hex')
    .slice(0, 16);
  const dir = join(tmpdir(), `stepup-lambda-sdk-${key}`);
  const nodeModules = join(dir, 'node_modules');
  if (existsSync(join(dir, '.complete'))) return nodeModules;
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const started = Date.now();
  for (const packagePath of packages) {
    const relativeName = packagePath.slice(join(PROJECT_ROOT, 'node_modules').length + 1);
    cpSync(packagePath, join(building, 'node_modules', relativeName), { recursive: true, dereference: true });
  }
  writeFileSync(join(building, '.complete'), roots.join('\n'));
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  log(
    `Lambda runtime SDK: ${roots.length} @aws-sdk clients, ${packages.length} packages in ${dir} ` +
      `(${((Date.now() - started) / 1000).toFixed(1)} s, ${folderSizeMb(nodeModules)} MB)`,
  );
  return nodeModules;
}

function folderSizeMb(dir: string): string {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return (bytes / 1024 / 1024).toFixed(1);
}
