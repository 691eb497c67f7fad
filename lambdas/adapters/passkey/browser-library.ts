import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file name of `@simplewebauthn/browser`'s UMD bundle beside a function's bundle (`lib/passkey-assets.ts`). */
export const BROWSER_LIBRARY_FILE = 'webauthn-browser.js';

/** The bundle's path inside the package, for the build and the local runtime. */
export const BROWSER_LIBRARY_IN_PACKAGE = join(
  '@simplewebauthn',
  'browser',
  'dist',
  'bundle',
  'index.umd.min.js',
);

/** Reads a file once, on first use. */
export function readOnce(path: string): () => string {
  let text: string | undefined;
  return () => (text ??= readFileSync(path, 'utf8'));
}
