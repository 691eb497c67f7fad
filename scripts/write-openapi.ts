/**
 * Writes docs/openapi.json, the OpenAPI document of the API (built by lambdas/api/openapi.ts from
 * the schemas the handlers parse with). A unit test fails while the file is out of date.
 *
 *   npm run openapi
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { OPENAPI_FILE, renderOpenApiFile } from './openapi-file';

async function main(): Promise<void> {
  const text = await renderOpenApiFile();
  const unchanged = existsSync(OPENAPI_FILE) && readFileSync(OPENAPI_FILE, 'utf8') === text;
  if (!unchanged) writeFileSync(OPENAPI_FILE, text);
  console.log(`${relative(process.cwd(), OPENAPI_FILE)}: ${unchanged ? 'up to date' : 'written'}`);
}

void main();
