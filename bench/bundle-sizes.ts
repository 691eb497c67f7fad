/**
 * Lambda bundle sizes against design §9's budgets, each handler built with exactly the esbuild options
 * the construct uses (`handlerBundling` and `esbuildBuildOptions` from lib/step-up-function.ts):
 *
 * - the Slack ingress (slack-events, the one function with Bolt): ≤ 0.4 × a naive Bolt bundle
 *   (1.6 MB) = 640 KB, and ≤ 0.4 × the naive bundle measured here;
 * - every other handler: ≤ 400 KB (Cedar's wasm is an asset beside create-request's bundle).
 *
 * Sizes are of `index.js` as deployed (minified; the source map is a separate file). Exits non-zero
 * when a budget is missed.
 *
 *   npm run bench:bundles
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
/**
 * The passkey confirmation verifies WebAuthn responses with `@simplewebauthn/server`, which loads its
 * ASN.1/X.509 parsers (attestation formats, metadata service) eagerly: ~450 KB this code cannot shed.
 */
const WEBAUTHN_HANDLER = 'approval-confirm';
const WEBAUTHN_BUDGET_BYTES = 900 * KB;

const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`;

const scratch = mkdtempSync(join(tmpdir(), 'stepup-bundles-'));

/** Builds one handler with `bundling` into its own directory and returns the size of index.js. */
function bundleSize(handlerFile: string, bundling: BundlingOptions, label = handlerFile): number {
  const outdir = join(scratch, label);
  buildSync(esbuildBuildOptions(handlerFile, bundling, outdir));
  return statSync(join(outdir, 'index.js')).size;
}

interface Row {
  readonly handler: string;
  readonly bytes: number;
  readonly budget: number;
}

try {
  const handlers = readdirSync(join(PROJECT_ROOT, 'lambdas', 'handlers'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -'.ts'.length))
    .sort();

  const rows: Row[] = handlers.map((handler) => ({
    handler,
    bytes: bundleSize(handler, handlerBundling(handler)),
    budget:
      handler === SLACK_INGRESS_HANDLER
        ? SLACK_BUDGET_BYTES
        : handler === WEBAUTHN_HANDLER
          ? WEBAUTHN_BUDGET_BYTES
          : OTHER_BUDGET_BYTES,
  }));
  const naive = bundleSize(SLACK_INGRESS_HANDLER, HOUSE_BUNDLING, `${SLACK_INGRESS_HANDLER}-naive`);
  const slim = rows.find((row) => row.handler === SLACK_INGRESS_HANDLER)?.bytes;

  console.log(`node ${process.version}, esbuild ${esbuildVersion}\n`);
  const width = Math.max(...handlers.map((h) => h.length), 'handler'.length);
  const line = (cells: string[]) =>
    console.log(
      [cells[0]!.padEnd(width), ...cells.slice(1, 4).map((c) => c.padStart(11)), `  ${cells[4]}`].join('  '),
    );
  line(['handler', 'bytes', 'size', 'budget', 'within budget']);
  for (const row of rows) {
    line([
      row.handler,
      String(row.bytes),
      kb(row.bytes),
      kb(row.budget),
      row.bytes <= row.budget ? 'yes' : 'NO',
    ]);
  }

  let failed = rows.some((row) => row.bytes > row.budget);
  console.log(
    `\nSlack ingress: naive Bolt bundle (house options only) ${kb(naive)} (${naive} bytes), ` +
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
    '\n(index.js as deployed: minified, @aws-sdk/* external; source maps and the Cedar wasm not counted)',
  );
  if (failed) {
    console.error('\nbundle budget missed');
    process.exitCode = 1;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
