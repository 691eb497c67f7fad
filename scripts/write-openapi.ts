/**
 * Writes docs/openapi.json, the OpenAPI document of the API (built by lambdas/api/openapi.ts from
 * the schemas the handlers parse with). A unit test fails while the file is out of date.
 *
 *   npm run openapi
 */
import { OPENAPI_FILE, renderOpenApiFile } from './openapi-file';
import { writeGenerated } from './write-generated';

async function main(): Promise<void> {
  writeGenerated(OPENAPI_FILE, await renderOpenApiFile());
}

void main();
