/**
 * Lambda bundle sizes against design §9's budgets, each handler built with exactly the esbuild options
 * the construct uses (`handlerBundling` and `esbuildBuildOptions` from lib/step-up-function.ts):
 *
 * - the Slack ingress (slack-events, the one function with Bolt): ≤ 0.4 × a naive Bolt bundle
 *   (1.6 MB) = 640 KB, and ≤ 0.4 × the naive bundle measured here;
 * - every other handler: ≤ 400 KB (Cedar's wasm is an asset beside create-request's bundle), except
 *   the two with a budget of their own below, each with the reason.
 *
 * The budgets are for a function's own code and libraries, without the AWS SDK: the budgets were set
 * when the SDK was left to the Lambda runtime, and it is bundled now only because one minified file
 * starts faster than the runtime's copy (`npm run bench:coldstart`). The SDK's share (`@aws-sdk/*`,
 * `@smithy/*`, `@aws-crypto/*`, from esbuild's metafile) and the whole `index.js` are printed beside.
 *
 * Sizes are of `index.js` as deployed (minified; the source map is a separate file). Exits non-zero
 * when a budget is missed.
 *
 *   npm run bench:bundles
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { buildSync, version as esbuildVersion } from 'esbuild';
import { SLACK_INGRESS_HANDLER } from '../lib/slack-bundling';
import { esbuildBuildOptions, handlerBundling, HOUSE_BUNDLING, PROJECT_ROOT } from '../lib/step-up-function';

const KB = 1024;
/** Design §9: the naive Bolt bundle the Slack budget is relative to. */
const NAIVE_BOLT_BYTES = 1600 * KB;
const SLACK_RATIO_BUDGET = 0.4;
const SLACK_BUDGET_BYTES = SLACK_RATIO_BUDGET * NAIVE_BOLT_BYTES;
const OTHER_BUDGET_BYTES = 400 * KB;
/** Handlers over {@link OTHER_BUDGET_BYTES} by what they must load, each with its own budget. */
const OWN_BUDGETS: Record<string, number> = {
  // The remote MCP endpoint serves the MCP SDK's server (~80 KB) and classic zod (the SDK's tool
  // schemas are zod's, ~160 KB): 430 KB measured. Its JSON Schema validator (ajv, ~135 KB with
  // formats and fast-uri) is stubbed out (`lib/mcp-bundling.ts`). client/mcp imports `* as z from
  // 'zod'` (as zod's README does): `{ z }` kept all of classic zod, its locales included (935 KB, and
  // ~55 ms more `require`).
  mcp: 450 * KB,
};

/** A bundled file of the AWS SDK (left to the runtime when the budgets were set). */
const SDK_SOURCE = /(?:^|\/)node_modules\/@(?:aws-sdk|smithy|aws-crypto)\//;

const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`;

const scratch = mkdtempSync(join(tmpdir(), 'stepup-bundles-'));

/** Sizes of one built `index.js`: all of it, and without the AWS SDK's bytes. */
interface Size {
  readonly total: number;
  readonly own: number;
}

/** Builds one handler with `bundling` into its own directory and measures its index.js. */
function bundleSize(handlerFile: string, bundling: BundlingOptions, label = handlerFile): Size {
  const outdir = join(scratch, label);
  const { metafile } = buildSync({ ...esbuildBuildOptions(handlerFile, bundling, outdir), metafile: true });
  const total = statSync(join(outdir, 'index.js')).size;
  const output = metafile.outputs[relative(PROJECT_ROOT, join(outdir, 'index.js'))];
  if (!output) throw new Error(`bench:bundles: no metafile output for ${handlerFile}`);
  const sdk = Object.entries(output.inputs)
    .filter(([input]) => SDK_SOURCE.test(input))
    .reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0);
  return { total, own: total - sdk };
}

interface Row {
  readonly handler: string;
  readonly size: Size;
  readonly budget: number;
}

try {
  const handlers = readdirSync(join(PROJECT_ROOT, 'lambdas', 'handlers'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -'.ts'.length))
    .sort();

  const rows: Row[] = handlers.map((handler) => ({
    handler,
    size: bundleSize(handler, handlerBundling(handler)),
    budget:
      handler === SLACK_INGRESS_HANDLER ? SLACK_BUDGET_BYTES : (OWN_BUDGETS[handler] ?? OTHER_BUDGET_BYTES),
  }));
  const naive = bundleSize(SLACK_INGRESS_HANDLER, HOUSE_BUNDLING, `${SLACK_INGRESS_HANDLER}-naive`).own;
  const slim = rows.find((row) => row.handler === SLACK_INGRESS_HANDLER)?.size.own;

  console.log(`node ${process.version}, esbuild ${esbuildVersion}\n`);
  const width = Math.max(...handlers.map((h) => h.length), 'handler'.length);
  const line = (cells: string[]) =>
    console.log(
      [cells[0]!.padEnd(width), ...cells.slice(1, 4).map((c) => c.padStart(11)), `  ${cells[4]}`].join('  '),
    );
  line(['handler', 'without SDK', 'budget', 'index.js', 'within budget']);
  for (const row of rows) {
    line([
      row.handler,
      kb(row.size.own),
      kb(row.budget),
      kb(row.size.total),
      row.size.own <= row.budget ? 'yes' : 'NO',
    ]);
  }

  let failed = rows.some((row) => row.size.own > row.budget);
  console.log(
    `\nSlack ingress without the SDK: naive Bolt bundle (house options only) ${kb(naive)} (${naive} bytes), ` +
      `slim ${slim === undefined ? 'n/a' : kb(slim)}`,
  );
  if (slim !== undefined) {
    const ratio = slim / naive;
    const ok = ratio <= SLACK_RATIO_BUDGET;
    failed ||= !ok;
    console.log(
      `  slim / naive = ${ratio.toFixed(3)} (budget ≤ ${SLACK_RATIO_BUDGET}): ${ok ? 'within budget' : 'OVER BUDGET'}`,
    );
  } else {
    failed = true;
    console.log(`  lambdas/handlers/${SLACK_INGRESS_HANDLER}.ts not found`);
  }
  console.log(
    '\n(index.js as deployed: minified, the AWS SDK bundled; budgets count all but the SDK; source maps ' +
      'and the Cedar wasm not counted)',
  );
  if (failed) {
    console.error('\nbundle budget missed');
    process.exitCode = 1;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
