import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { CfnTemplate } from './aws/cfn-template';

/** The repository root. */
export const PROJECT_ROOT = join(__dirname, '..', '..');

/** Region and account the suite synthesizes for, so every ARN in the template is concrete. */
export const DEPLOYED_ENV = { region: 'eu-west-1', account: '111122223333' } as const;

/** The stack `bin/app.ts` defines. */
export const STACK_NAME = 'StepUp';

/** Workload `sub` that the suite's config lists under `operators` (the kill-switch scenario). */
export const OPERATOR_SUB = 'repo:example/ops:ref:refs/heads/main';

/** Workload `sub` of the resource server the scenarios' tokens are for (admitted by the suite's config). */
export const RESOURCE_SERVER_SUB = 'orders-db';

/** The suite's second workload issuer: a SPIRE OIDC discovery provider issuing SPIFFE JWT-SVIDs. */
export const SPIRE_ISSUER = 'https://oidc.spire.example.org';

/** Audience the SPIRE issuer's JWT-SVIDs carry for stepup (each issuer has its own). */
export const SPIRE_AUDIENCE = 'stepup-spiffe';

/** A SPIFFE workload the suite's registry admits (team payments), through the SPIRE issuer only. */
export const SPIFFE_AGENT_SUB = 'spiffe://example.org/ns/payments/sa/refunds';

/** The AWS target the suite's config maps (`awsTargets`): its audience and the role it stands for. */
export const AWS_TARGET = {
  audience: 'aws:prod-data',
  roleArn: `arn:aws:iam::${DEPLOYED_ENV.account}:role/stepup-prod-data`,
} as const;

/** Extra policies with approval windows of seconds (see the file's comments). */
const FIXTURE_POLICIES = join(__dirname, 'fixtures', 'policies');

/** What decides the assembly: a change to any of these makes a new one. */
const INPUTS = [
  'bin',
  'lib',
  'lambdas',
  'policies',
  'stepup.config.json',
  'cdk.json',
  'package-lock.json',
  'tsconfig.json',
  relative(PROJECT_ROOT, FIXTURE_POLICIES),
  relative(PROJECT_ROOT, __filename),
];

/** Every file under `path` (or `path` itself when it is a file), sorted; none when it does not exist. */
function filesOf(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** sha256 over the paths and contents of {@link INPUTS}. */
export function treeHash(): string {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of filesOf(join(PROJECT_ROOT, input))) {
      hash.update(relative(PROJECT_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The config and policy directory the suite deploys: the sample `stepup.config.json` plus an
 * operator (the sample has none), the resource server's identity among the admitted agents and an
 * AWS target, and
 * `policies/` plus the fixture policies. Written to `dir`.
 */
function writeInputs(dir: string): { config: string; policies: string } {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'stepup.config.json');
  const sample = JSON.parse(readFileSync(join(PROJECT_ROOT, 'stepup.config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const agents = sample.agents as { admit: Record<string, unknown>[] };
  const github = (sample.auth as { issuer: string; audience: string[] }).issuer;
  // As a team would: the resource server that introspects (orders-db) is admitted beside the sample's
  // example repository, whose identities the scenarios' agents use; and a second issuer (SPIRE) with
  // its own audience admits a SPIFFE workload. With two issuers every rule names its own.
  const admit = [
    ...agents.admit.map((rule) => ({ ...rule, issuer: github })),
    { name: 'orders-db', team: 'data', owners: ['U0BOB'], sub: RESOURCE_SERVER_SUB, issuer: github },
    {
      name: 'refunds',
      team: 'payments',
      owners: ['U0JUDY'],
      description: 'Refunds service of the payments team, a SPIFFE workload',
      subPattern: 'spiffe://example.org/ns/payments/*',
      issuer: SPIRE_ISSUER,
    },
  ];
  writeFileSync(
    config,
    JSON.stringify(
      {
        ...sample,
        auth: { issuers: [sample.auth, { issuer: SPIRE_ISSUER, audience: [SPIRE_AUDIENCE] }] },
        operators: [OPERATOR_SUB],
        agents: { ...agents, admit },
        awsTargets: {
          [AWS_TARGET.audience]: { roleArn: AWS_TARGET.roleArn, actions: ['dynamodb:DeleteTable'] },
        },
      },
      null,
      2,
    ),
  );
  const policies = join(dir, 'policies');
  mkdirSync(policies, { recursive: true });
  cpSync(join(PROJECT_ROOT, 'policies'), policies, { recursive: true });
  cpSync(FIXTURE_POLICIES, policies, { recursive: true });
  return { config, policies };
}

const COMPLETE = '.complete';

/**
 * The cloud assembly of `bin/app.ts` with bundling, synthesized by the CDK CLI into a directory under
 * `os.tmpdir()` (outside the project, so a bundle cannot find the project's node_modules by walking
 * up). Cached by {@link treeHash}: a run with an unchanged tree reuses the last one.
 * @returns the assembly directory (holds `StepUp.template.json` and the `asset.*` directories)
 */
export async function synthesizeCloudAssembly(log: (line: string) => void = console.log): Promise<string> {
  const dir = join(tmpdir(), `stepup-cloud-assembly-${treeHash()}`);
  if (existsSync(join(dir, COMPLETE))) {
    log(`cloud assembly: reusing ${dir} (tree unchanged)`);
    return dir;
  }
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const inputs = writeInputs(join(building, 'inputs'));
  const out = join(building, 'out');
  log(`synthesizing the cloud assembly with bundling into ${dir} (cdk synth, ~30-90 s)…`);
  const started = Date.now();
  try {
    await promisify(execFile)('npx', ['--no-install', 'cdk', 'synth', '--quiet', '-o', out], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        // bin/app.ts pins the stack to CDK_DEPLOY_* (before that: CDK_DEFAULT_*, which the CLI
        // derives from AWS_REGION), so every ARN in the template is concrete.
        CDK_DEPLOY_REGION: DEPLOYED_ENV.region,
        CDK_DEPLOY_ACCOUNT: DEPLOYED_ENV.account,
        CDK_DEFAULT_REGION: DEPLOYED_ENV.region,
        CDK_DEFAULT_ACCOUNT: DEPLOYED_ENV.account,
        AWS_REGION: DEPLOYED_ENV.region,
        AWS_DEFAULT_REGION: DEPLOYED_ENV.region,
        STEPUP_CONFIG: inputs.config,
        STEPUP_POLICIES: inputs.policies,
      },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`cdk synth failed:\n${stderr ?? ''}${stdout ?? ''}`);
  }
  writeFileSync(join(out, COMPLETE), new Date().toISOString());
  rmSync(dir, { recursive: true, force: true });
  renameSync(out, dir);
  rmSync(building, { recursive: true, force: true });
  log(`cloud assembly synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  pruneStaleAssemblies(dir);
  return dir;
}

/** A day: older assemblies are of trees long gone (younger ones may belong to another worktree's run). */
const STALE_MS = 24 * 60 * 60 * 1000;

/** Removes assemblies of earlier trees (each ~20 MB) that nobody has synthesized for a day. */
function pruneStaleAssemblies(keep: string): void {
  const prefix = 'stepup-cloud-assembly-';
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name);
    if (!name.startsWith(prefix) || path === keep) continue;
    if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
  }
}

/** The CloudFormation template of the stack in an assembly directory. */
export function readTemplate(assemblyDir: string): CfnTemplate {
  return JSON.parse(readFileSync(join(assemblyDir, `${STACK_NAME}.template.json`), 'utf8')) as CfnTemplate;
}
