import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { LOCAL_ISSUER, openApiDocument } from '../lambdas/api/openapi';

/** The OpenAPI document kept in the repo: the one `npm start` serves on its default port. */
export const OPENAPI_FILE = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

/** What `npm run openapi` writes to {@link OPENAPI_FILE}, formatted as `prettier --check` wants it. */
export async function renderOpenApiFile(): Promise<string> {
  const options = await resolveConfig(OPENAPI_FILE);
  return format(JSON.stringify(openApiDocument(LOCAL_ISSUER), null, 2), {
    ...options,
    filepath: OPENAPI_FILE,
  });
}
