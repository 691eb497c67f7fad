// Writes the Cedar wasm module the Lambda bundles carry: Cedar's own (`@cedar-policy/cedar-wasm`),
// without the exported functions the functions never call and the code only they reach (binaryen's
// remove-unused-module-elements, the dead-code pass of `wasm-metadce`). V8 reads and copies all of a
// module's bytes when a container starts, so the ~16 % fewer bytes are ~8 ms less `require` in each
// function that decides (`npm run bench:coldstart`). Kept: the exports named on the command line and
// wasm-bindgen's own (`__wbindgen_*`, `__externref_*`), which its JS glue calls.
//
//   node scripts/cedar-lambda-wasm.mjs <cedar_wasm_bg.wasm> <out.wasm> preparseSchema,statefulIsAuthorized,…
//
// The result is cached under node_modules/.cache by the input's hash and the list, so the policy
// functions of one synth trim it once.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import console from 'node:console';
import process from 'node:process';

const [input, output, kept] = process.argv.slice(2);
if (!input || !output || !kept) {
  console.error('usage: node scripts/cedar-lambda-wasm.mjs <in.wasm> <out.wasm> <export,export,…>');
  process.exit(2);
}
const keep = new Set(kept.split(','));
const isBindgen = (name) => name.startsWith('__wbindgen_') || name.startsWith('__externref_');

const bytes = readFileSync(input);
const key = createHash('sha256')
  .update(bytes)
  .update(`\0${[...keep].sort().join(',')}`)
  .digest('hex');
const cacheDir = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'node_modules',
  '.cache',
  'stepup-cedar-wasm',
);
const cached = join(cacheDir, `${key.slice(0, 32)}.wasm`);

if (!existsSync(cached)) {
  // Loaded only to trim: it takes a second to load.
  const { default: binaryen } = await import('binaryen');
  const module = binaryen.readBinary(bytes);
  const present = new Set();
  for (let i = 0; i < module.getNumExports(); i++) {
    const { kind, name } = binaryen.getExportInfo(module.getExportByIndex(i));
    if (kind !== binaryen.ExternalFunction) continue;
    present.add(name);
  }
  const missing = [...keep].filter((name) => !present.has(name));
  if (missing.length > 0) {
    console.error(`cedar-lambda-wasm: Cedar's module exports no ${missing.join(', ')}`);
    process.exit(1);
  }
  for (const name of present) if (!keep.has(name) && !isBindgen(name)) module.removeExport(name);
  module.runPasses(['remove-unused-module-elements']);
  if (!module.validate()) {
    console.error('cedar-lambda-wasm: the trimmed module does not validate');
    process.exit(1);
  }
  mkdirSync(cacheDir, { recursive: true });
  // Written aside and renamed, so a concurrent synth never reads half a file.
  const partial = `${cached}.${process.pid}`;
  writeFileSync(partial, module.emitBinary());
  renameSync(partial, cached);
  module.dispose();
}
copyFileSync(cached, output);
